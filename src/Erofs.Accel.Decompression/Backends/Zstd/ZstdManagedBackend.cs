using Erofs.Accel.Decompression.Software;

namespace Erofs.Accel.Decompression.Backends.Zstd;

/// <summary>
/// Zstandard decoder in managed code (ZstdSharp.Port), for machines without libzstd. Same rules as
/// <see cref="ZstdNativeBackend"/>; always available.
/// </summary>
public sealed class ZstdManagedBackend : SoftwareBackend, IDisposable
{
    /// <summary>The name the engine, the CLI and reports use for this backend.</summary>
    public const string BackendName = "zstd-zstdsharp";

    private readonly NativeContextPool<ZstdContextHandle> _contexts = new(ZstdContextHandle.TryCreateManaged);

    /// <summary>A managed Zstandard decoder (ZstdSharp; always available).</summary>
    public ZstdManagedBackend()
        : base(BackendName, CompressionAlgorithm.Zstd, BackendAvailability.Available("managed, ZstdSharp.Port")) { }

    /// <inheritdoc/>
    protected override bool SupportsCore(in DecodeParameters parameters) =>
        parameters.ZstdWindowLog <= ZstdFrameDecoder<ManagedZstdApi>.MaxWindowLog;

    /// <inheritdoc/>
    protected override DecodeStatus DecodeCore(ReadOnlySpan<byte> source, Span<byte> output, in DecodeParameters parameters)
    {
        var context = _contexts.Rent();
        if (context is null) return DecodeStatus.BackendFailure;
        try
        {
            return ZstdFrameDecoder<ManagedZstdApi>.Decode(context, source, output, parameters);
        }
        finally
        {
            _contexts.Return(context);
        }
    }

    /// <summary>Frees the pooled decoder contexts.</summary>
    public void Dispose() => _contexts.Dispose();
}
