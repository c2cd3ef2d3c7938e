using Erofs.Accel.Decompression.Software;

namespace Erofs.Accel.Decompression.Backends.Lzma;

/// <summary>
/// MicroLZMA in managed code (<see cref="MicroLzmaDecoder"/>): always available, so images compressed with LZMA open
/// where liblzma is not installed; the engine prefers <see cref="LzmaNativeBackend"/> where it is (it is faster), and
/// the two confirm each other's corruption reports. The dictionary limit is the native backend's: the writer's size
/// capped at the decoded length rounded up to a power of two. Steady-state decodes allocate nothing (the probability
/// tables and, for requests that skip decoded bytes, the staging buffer come from pools).
/// </summary>
public sealed class LzmaManagedBackend : WholeBufferBackend
{
    /// <summary>The name the engine, the CLI and reports use for this backend.</summary>
    public const string BackendName = "lzma-managed";

    /// <summary>The managed MicroLZMA decoder (always available; the fallback when liblzma is missing).</summary>
    public LzmaManagedBackend()
        : base(BackendName, CompressionAlgorithm.MicroLzma, BackendAvailability.Available("managed MicroLZMA decoder")) { }

    /// <inheritdoc/>
    protected override DecodeStatus DecodeFromStart(ReadOnlySpan<byte> source, Span<byte> target, in DecodeParameters parameters) =>
        MicroLzmaDecoder.Decode(source, target, LzmaNativeBackend.EffectiveDictionarySize(parameters), exact: !parameters.Partial);
}
