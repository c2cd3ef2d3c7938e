using Erofs.Accel.Decompression.Backends.Deflate;
using Erofs.Accel.Decompression.Backends.Lz4;
using Erofs.Accel.Decompression.Backends.Lzma;
using Erofs.Accel.Decompression.Backends.Zstd;
using Erofs.Accel.Decompression.Software;

namespace Erofs.Accel.Decompression;

/// <summary>The software decoders of this library, in preference order (fastest first within an algorithm).</summary>
public static class SoftwareBackends
{
    /// <summary>
    /// Creates every software backend, available or not, in preference order: LZ4 (liblz4, K4os), DEFLATE (libdeflate,
    /// BCL), MicroLZMA (liblzma, managed), Zstandard (libzstd, ZstdSharp). Never throws when a native library is missing; such a
    /// backend reports itself unavailable.
    /// </summary>
    public static IReadOnlyList<SoftwareBackend> CreateAll() =>
    [
        new Lz4NativeBackend(),
        new Lz4K4osBackend(),
        new LibdeflateBackend(),
        new BclDeflateBackend(),
        new LzmaNativeBackend(),
        new LzmaManagedBackend(),
        new ZstdNativeBackend(),
        new ZstdManagedBackend(),
    ];

    /// <summary>One line per backend ("name  algorithm  availability"), e.g. for a CLI <c>backends</c> command.</summary>
    public static IReadOnlyList<string> Describe(IEnumerable<IDecompressionBackend>? backends = null)
    {
        var lines = new List<string>();
        foreach (var backend in backends ?? CreateAll())
            lines.Add($"{backend.Name,-20} {string.Join(",", backend.Algorithms),-10} {backend.Availability}");
        return lines;
    }
}
