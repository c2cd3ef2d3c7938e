namespace Erofs.Accel.Decompression;

/// <summary>Broad family of a backend, for routing and reporting.</summary>
public enum BackendKind
{
    /// <summary>A CPU decoder (a managed library or a native one).</summary>
    Software,
    /// <summary>A device behind a native shim (Intel IAA, QAT).</summary>
    Accelerator,
    /// <summary>A GPU or other OpenCL device.</summary>
    OpenCl,
}

/// <summary>Whether a backend can be used on this machine, and if not, why.</summary>
public readonly record struct BackendAvailability(bool IsAvailable, string Detail)
{
    /// <summary>Available, with a detail (version, device) for reports.</summary>
    public static BackendAvailability Available(string detail) => new(true, detail);
    /// <summary>Unavailable, with the reason in one line.</summary>
    public static BackendAvailability Unavailable(string reason) => new(false, reason);
    /// <summary>"available (detail)" or "unavailable: reason".</summary>
    public override string ToString() => IsAvailable ? $"available ({Detail})" : $"unavailable: {Detail}";
}

/// <summary>
/// A decoder of single pclusters. Backends only decode: they never read images, never allocate per call on the hot
/// path beyond what their native library needs, never write outside the request's destination, and never run
/// unbounded. Implementations must be safe to call from several threads at once.
/// </summary>
public interface IDecompressionBackend
{
    /// <summary>Short stable name (for example "lz4-k4os", "deflate-libdeflate", "qpl", "qat", "opencl").</summary>
    string Name { get; }

    /// <summary>Broad family of the backend (software, accelerator, OpenCL).</summary>
    BackendKind Kind { get; }

    /// <summary>Whether the backend can be used on this machine, and if not, why.</summary>
    BackendAvailability Availability { get; }

    /// <summary>Algorithms this backend decodes at all.</summary>
    IReadOnlyCollection<CompressionAlgorithm> Algorithms { get; }

    /// <summary>True when this backend can take this particular request (parameters, sizes, partial decoding).</summary>
    bool Supports(in DecodeParameters parameters, int sourceLength);

    /// <summary>
    /// Decodes <paramref name="source"/> (the exact compressed stream, zero padding already removed) and writes decoded
    /// bytes <c>[DecodedSkip, DecodedLength)</c> to the start of <paramref name="destination"/>.
    /// On anything but <see cref="DecodeStatus.Done"/> the destination content is unspecified (but nothing outside it
    /// was touched) and <paramref name="bytesWritten"/> is 0.
    /// </summary>
    DecodeStatus Decode(ReadOnlySpan<byte> source, Span<byte> destination, in DecodeParameters parameters, out int bytesWritten);
}
