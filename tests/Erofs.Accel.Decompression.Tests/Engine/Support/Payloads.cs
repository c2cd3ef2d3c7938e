using System.IO.Compression;
using K4os.Compression.LZ4;

namespace Erofs.Accel.Decompression.Tests.Engine.Support;

/// <summary>Deterministic test data and its compressed forms (LZ4 block, raw DEFLATE with 4 KiB or 32 KiB window, zstd frame).</summary>
internal static class Payloads
{
    /// <summary>Mixed content: text-like runs, repeats at short and long distances, random stretches.</summary>
    public static byte[] Data(int length, int seed)
    {
        var random = new Random(seed);
        var data = new byte[length];
        int i = 0;
        string[] words = ["erofs ", "pcluster ", "deflate ", "lz4 ", "accelerator ", "window ", "\n", "0123456789 "];
        while (i < length)
        {
            int kind = random.Next(4);
            int run = Math.Min(length - i, random.Next(16, 600));
            switch (kind)
            {
                case 0:
                    for (int k = 0; k < run; k++) data[i + k] = (byte)random.Next(256);
                    break;
                case 1:
                    for (int k = 0; k < run;)
                    {
                        var w = words[random.Next(words.Length)];
                        for (int c = 0; c < w.Length && k < run; c++, k++) data[i + k] = (byte)w[c];
                    }
                    break;
                default:
                    // copy from earlier: near (inside 4 KiB) or far (beyond 4 KiB when possible)
                    int distance = kind == 2 || i < 8192 ? random.Next(1, Math.Max(2, Math.Min(i, 4000))) : random.Next(4097, Math.Min(i, 30000));
                    if (i == 0) distance = 0;
                    for (int k = 0; k < run; k++) data[i + k] = distance == 0 ? (byte)'a' : data[i + k - distance];
                    break;
            }
            i += run;
        }
        return data;
    }

    public static Payload Lz4(byte[] original, string label = "lz4")
    {
        var target = new byte[LZ4Codec.MaximumOutputSize(original.Length)];
        int n = LZ4Codec.Encode(original, target, LZ4Level.L00_FAST);
        return new Payload(label, CompressionAlgorithm.Lz4, target.AsSpan(0, n).ToArray(), original);
    }

    /// <summary>Raw DEFLATE with a 2^windowBits window through zlib (4 KiB window = what IAA takes).</summary>
    public static Payload Deflate(byte[] original, int windowBits, string? label = null) =>
        new(label ?? $"deflate-w{windowBits}", CompressionAlgorithm.Deflate, TestSupport.Encoders.DeflateEncoders.Zlib(original, 6, windowBits).Compressed, original, windowBits);

    /// <summary>Raw DEFLATE from the BCL (32 KiB window).</summary>
    public static Payload BclDeflate(byte[] original, string label = "deflate-bcl")
    {
        using var memory = new MemoryStream();
        using (var deflate = new DeflateStream(memory, CompressionLevel.Optimal, leaveOpen: true)) deflate.Write(original);
        return new Payload(label, CompressionAlgorithm.Deflate, memory.ToArray(), original, 15);
    }

    public static Payload Zstd(byte[] original, string label = "zstd")
    {
        using var compressor = new ZstdSharp.Compressor(3);
        return new Payload(label, CompressionAlgorithm.Zstd, compressor.Wrap(original).ToArray(), original);
    }

    /// <summary>A mixed set: every algorithm, several sizes, both DEFLATE windows.</summary>
    public static IReadOnlyList<Payload> Mixed(int count, int seed, int maxLength = 64 << 10)
    {
        var random = new Random(seed);
        var list = new List<Payload>();
        for (int k = 0; k < count; k++)
        {
            int length = random.Next(1, 5) switch
            {
                1 => random.Next(1, 512),
                2 => random.Next(512, 8192),
                _ => random.Next(8192, maxLength),
            };
            var original = Data(length, seed * 7919 + k);
            list.Add((k % 5) switch
            {
                0 => Lz4(original, $"lz4#{k}"),
                1 => Deflate(original, 12, $"deflate-w12#{k}"),
                2 => Deflate(original, 15, $"deflate-w15#{k}"),
                3 => Zstd(original, $"zstd#{k}"),
                _ => Deflate(original, 12, $"deflate-w12b#{k}"),
            });
        }
        return list;
    }
}
