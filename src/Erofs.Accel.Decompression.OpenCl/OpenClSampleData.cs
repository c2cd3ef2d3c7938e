using System.IO.Compression;
using System.Text;
using K4os.Compression.LZ4;

namespace Erofs.Accel.Decompression.OpenCl;

/// <summary>Deterministic text-like pclusters for warm-up and calibration (no files needed).</summary>
internal static class OpenClSampleData
{
    private static readonly string[] Words =
    [
        "erofs", "inode", "block", "cluster", "compress", "decode", "the", "of", "and", "a", "to", "in", "is", "that",
        "for", "it", "with", "as", "was", "on", "be", "at", "by", "this", "have", "from", "or", "one", "had", "not",
        "kernel", "buffer", "device", "window", "literal", "match", "offset", "length", "static", "void", "return",
    ];

    /// <summary>Text of about <paramref name="length"/> bytes from a fixed seed.</summary>
    public static byte[] Text(int length, int seed)
    {
        var rng = new Random(seed);
        var sb = new StringBuilder(length + 32);
        while (sb.Length < length)
        {
            sb.Append(Words[rng.Next(Words.Length)]);
            int r = rng.Next(16);
            sb.Append(r == 0 ? ".\n" : r == 1 ? ", " : " ");
            if (rng.Next(64) == 0) sb.Append(rng.Next(100000));
        }
        return Encoding.ASCII.GetBytes(sb.ToString(0, length));
    }

    public static byte[] Compress(CompressionAlgorithm algorithm, ReadOnlySpan<byte> data) => algorithm switch
    {
        CompressionAlgorithm.Lz4 => CompressLz4(data),
        CompressionAlgorithm.Deflate => CompressDeflate(data),
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm)),
    };

    private static byte[] CompressLz4(ReadOnlySpan<byte> data)
    {
        var buffer = new byte[LZ4Codec.MaximumOutputSize(data.Length)];
        int n = LZ4Codec.Encode(data, buffer, LZ4Level.L00_FAST);
        return buffer.AsSpan(0, n).ToArray();
    }

    private static byte[] CompressDeflate(ReadOnlySpan<byte> data)
    {
        using var ms = new MemoryStream();
        using (var z = new DeflateStream(ms, CompressionLevel.Optimal, leaveOpen: true))
            z.Write(data);
        return ms.ToArray();
    }
}
