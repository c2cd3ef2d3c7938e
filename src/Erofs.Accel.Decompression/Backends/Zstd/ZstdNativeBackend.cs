using System.Runtime.InteropServices;
using Erofs.Accel.Decompression.Interop;
using Erofs.Accel.Decompression.Software;

namespace Erofs.Accel.Decompression.Backends.Zstd;

/// <summary>
/// Zstandard decoder over native libzstd. One complete frame per pcluster (content size optional); partial decoding
/// streams and stops at DecodedLength; the window limit comes from <see cref="DecodeParameters.ZstdWindowLog"/>.
/// Decoding contexts are pooled: thread-safe and allocation-free in steady state.
/// </summary>
public sealed class ZstdNativeBackend : SoftwareBackend, IDisposable
{
    /// <summary>The name the engine, the CLI and reports use for this backend.</summary>
    public const string BackendName = "zstd-libzstd";

    private readonly NativeContextPool<ZstdContextHandle> _contexts = new(ZstdContextHandle.TryCreateNative);

    /// <summary>A Zstandard decoder over the system's libzstd; unavailable (with the reason) when the library does not load.</summary>
    public ZstdNativeBackend() : this(ZstdNative.LibraryName) { }

    /// <summary>Probes <paramref name="libraryName"/> instead of the real soname (tests simulate a missing library).</summary>
    internal ZstdNativeBackend(string libraryName)
        : base(BackendName, CompressionAlgorithm.Zstd, DescribeAvailability(libraryName)) { }

    private static unsafe BackendAvailability DescribeAvailability(string libraryName)
    {
        var availability = NativeLibraryProbe.Probe(libraryName, ZstdNative.RequiredExports);
        if (!availability.IsAvailable || libraryName != ZstdNative.LibraryName) return availability;
        return BackendAvailability.Available($"{libraryName} {Marshal.PtrToStringUTF8((nint)ZstdNative.VersionString())}");
    }

    /// <inheritdoc/>
    protected override bool SupportsCore(in DecodeParameters parameters) =>
        parameters.ZstdWindowLog <= ZstdFrameDecoder<NativeZstdApi>.MaxWindowLog;

    /// <inheritdoc/>
    protected override DecodeStatus DecodeCore(ReadOnlySpan<byte> source, Span<byte> output, in DecodeParameters parameters)
    {
        var context = _contexts.Rent();
        if (context is null) return DecodeStatus.BackendFailure;
        try
        {
            return ZstdFrameDecoder<NativeZstdApi>.Decode(context, source, output, parameters);
        }
        finally
        {
            _contexts.Return(context);
        }
    }

    /// <summary>Frees the pooled decoder contexts.</summary>
    public void Dispose() => _contexts.Dispose();
}
