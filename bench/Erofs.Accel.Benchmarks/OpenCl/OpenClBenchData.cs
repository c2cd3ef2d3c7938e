using System.IO.Compression;
using Erofs.Accel.Decompression;
using K4os.Compression.LZ4;

namespace Erofs.Accel.Benchmarks.OpenCl;

/// <summary>
/// Pclusters for the OpenCL benchmarks: fixed-size chunks of shared libraries and .NET files of this machine,
/// compressed with LZ4 (fast or HC) or raw DEFLATE, plus ready-made requests and the engine's software decoder
/// (liblz4 / libdeflate where installed) on one thread or spread over the cores as the engine spreads a batch.
/// </summary>
public sealed class OpenClBenchData
{
    private static readonly string[] Roots =
    [
        "/usr/lib/x86_64-linux-gnu", "/usr/share/dotnet/shared", "/usr/share/dotnet/sdk",
        Environment.GetEnvironmentVariable("DOTNET_ROOT") ?? "/usr/share/dotnet", "/usr/share/doc",
    ];

    private static readonly SoftwareDecompressor Software = new();

    public CompressionAlgorithm Algorithm { get; }
    public int ItemBytes { get; }
    public byte[][] Compressed { get; }
    public byte[][] Outputs { get; }
    public DecompressionRequest[] Requests { get; }
    public DecompressionResult[] Results { get; }
    public long DecodedBytes => (long)ItemBytes * Compressed.Length;
    public long CompressedBytes => Compressed.Sum(c => (long)c.Length);

    public OpenClBenchData(CompressionAlgorithm algorithm, int itemBytes, int count, bool lz4High = true)
    {
        Algorithm = algorithm;
        ItemBytes = itemBytes;
        var chunks = Chunks(itemBytes, count);
        Compressed = chunks.Select(c => Compress(algorithm, c, lz4High)).ToArray();
        Outputs = chunks.Select(c => new byte[itemBytes]).ToArray();
        var parameters = new DecodeParameters { Algorithm = algorithm, DecodedLength = itemBytes };
        Requests = Compressed.Select((c, i) => new DecompressionRequest(c, Outputs[i], parameters)).ToArray();
        Results = new DecompressionResult[count];
    }

    /// <summary>The engine's software decoder on the first <paramref name="count"/> items, one thread.</summary>
    public long DecodeSoftware(int count) => DecodeRange(0, count);

    /// <summary>The same spread over <paramref name="threads"/> threads in contiguous stripes, as the engine spreads a batch.</summary>
    public long DecodeSoftwareParallel(int count, int threads)
    {
        int stripes = Math.Max(1, Math.Min(threads, count));
        if (stripes == 1) return DecodeRange(0, count);
        long total = 0;
        Parallel.For(0, stripes, new ParallelOptions { MaxDegreeOfParallelism = stripes },
            s => Interlocked.Add(ref total, DecodeRange(count * s / stripes, count * (s + 1) / stripes)));
        return total;
    }

    private long DecodeRange(int from, int to)
    {
        long total = 0;
        for (int i = from; i < to; i++)
        {
            var r = Software.Decompress(Compressed[i], Outputs[i], Requests[i].Parameters);
            if (r.Status != DecodeStatus.Done) throw new InvalidOperationException($"software: item {i} {r.Status}");
            total += r.BytesWritten;
        }
        return total;
    }

    private static byte[] Compress(CompressionAlgorithm algorithm, byte[] plain, bool lz4High)
    {
        if (algorithm == CompressionAlgorithm.Lz4)
        {
            var buffer = new byte[LZ4Codec.MaximumOutputSize(plain.Length)];
            int n = LZ4Codec.Encode(plain, buffer, lz4High ? LZ4Level.L09_HC : LZ4Level.L00_FAST);
            return buffer.AsSpan(0, n).ToArray();
        }
        using var ms = new MemoryStream();
        using (var z = new DeflateStream(ms, CompressionLevel.Optimal, leaveOpen: true))
            z.Write(plain);
        return ms.ToArray();
    }

    /// <summary>count chunks of itemBytes cut from files under the roots (sorted, deterministic), skipping incompressible ones.</summary>
    private static List<byte[]> Chunks(int itemBytes, int count)
    {
        var chunks = new List<byte[]>(count);
        foreach (var root in Roots)
        {
            if (!Directory.Exists(root)) continue;
            foreach (var file in Directory.EnumerateFiles(root, "*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true })
                         .Order(StringComparer.Ordinal))
            {
                byte[] data;
                try
                {
                    var info = new FileInfo(file);
                    if (info.Length < itemBytes || info.LinkTarget is not null) continue;
                    data = File.ReadAllBytes(file);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    continue;
                }
                for (int at = 0; at + itemBytes <= data.Length && chunks.Count < count; at += itemBytes)
                    chunks.Add(data.AsSpan(at, itemBytes).ToArray());
                if (chunks.Count >= count) return chunks;
            }
        }
        // not enough files: repeat what exists (or text) so the benchmark still runs
        if (chunks.Count == 0)
        {
            var text = System.Text.Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("erofs pcluster benchmark filler text ", itemBytes / 8)));
            chunks.Add(text.AsSpan(0, itemBytes).ToArray());
        }
        for (int i = 0; chunks.Count < count; i++) chunks.Add(chunks[i]);
        return chunks;
    }
}
