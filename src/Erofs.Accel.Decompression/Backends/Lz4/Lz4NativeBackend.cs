using Erofs.Accel.Decompression.Interop;
using Erofs.Accel.Decompression.Software;

namespace Erofs.Accel.Decompression.Backends.Lz4;

/// <summary>
/// LZ4 block decoder over native liblz4 (<c>LZ4_decompress_safe</c>, <c>LZ4_decompress_safe_partial</c>).
/// Stateless and thread-safe. Unavailable when liblz4.so.1 cannot be loaded.
/// </summary>
public sealed class Lz4NativeBackend : WholeBufferBackend
{
    /// <summary>The name the engine, the CLI and reports use for this backend.</summary>
    public const string BackendName = "lz4-liblz4";

    /// <summary>An LZ4 decoder over the system's liblz4; unavailable (with the reason) when the library does not load.</summary>
    public Lz4NativeBackend() : this(Lz4Native.LibraryName) { }

    /// <summary>Probes <paramref name="libraryName"/> instead of the real soname (tests simulate a missing library).</summary>
    internal Lz4NativeBackend(string libraryName)
        : base(BackendName, CompressionAlgorithm.Lz4, DescribeAvailability(libraryName)) { }

    private static BackendAvailability DescribeAvailability(string libraryName)
    {
        var availability = NativeLibraryProbe.Probe(libraryName, Lz4Native.RequiredExports);
        if (!availability.IsAvailable || libraryName != Lz4Native.LibraryName) return availability;
        int v = Lz4Native.VersionNumber();
        return BackendAvailability.Available($"{libraryName} {v / 10000}.{v / 100 % 100}.{v % 100}");
    }

    /// <inheritdoc/>
    protected override unsafe DecodeStatus DecodeFromStart(ReadOnlySpan<byte> source, Span<byte> target, in DecodeParameters parameters)
    {
        int produced;
        fixed (byte* src = source)
        fixed (byte* dst = target)
        {
            produced = parameters.Partial
                ? Lz4Native.DecompressSafePartial(src, dst, source.Length, target.Length, target.Length)
                : Lz4Native.DecompressSafe(src, dst, source.Length, target.Length);
        }
        return produced == target.Length ? DecodeStatus.Done : DecodeStatus.CorruptData;
    }
}
