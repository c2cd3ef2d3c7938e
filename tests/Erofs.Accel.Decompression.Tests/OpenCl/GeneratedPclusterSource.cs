using System.IO.Compression;
using K4os.Compression.LZ4;

namespace Erofs.Accel.Decompression.Tests.OpenCl;

/// <summary>What a generated pcluster is compressed with.</summary>
public enum GeneratedCodec
{
    Lz4Fast,
    Lz4High,
    DeflateWindow4K,
    DeflateWindow32K,
    DeflateStream32K,
}

/// <summary>
/// Pclusters cut from files of this machine (text, shared libraries, the .NET SDK) at 4 KiB..64 KiB and compressed
/// with K4os LZ4 (fast and HC) or zlib raw DEFLATE (window 4 KiB and 32 KiB; System.IO.Compression when libz is
/// missing). Deterministic: sorted file lists and a fixed seed.
/// </summary>
public sealed class GeneratedPclusterSource : IPclusterSource
{
    private static readonly string[] Roots =
    [
        "/usr/share/dotnet/sdk", "/usr/lib/x86_64-linux-gnu", "/usr/share/doc", "/usr/share/common-licenses",
        "/usr/include", "/usr/share/perl", "/etc",
    ];

    private static readonly int[] ChunkSizes = [4096, 8192, 16384, 32768, 65536, 5000, 12289, 40000, 65535];

    private readonly GeneratedCodec codec;
    private readonly int count;
    private readonly int seed;

    public GeneratedPclusterSource(GeneratedCodec codec, int count, int seed = 1)
    {
        this.codec = codec;
        this.count = count;
        this.seed = seed;
    }

    public string Name => $"generated-{codec}-{count}";

    public IEnumerable<PclusterSample> Load()
    {
        var rng = new Random(seed * 7919 + (int)codec);
        int made = 0;
        foreach (var (path, data) in Material())
        {
            int offset = 0;
            while (offset < data.Length && made < count)
            {
                int size = ChunkSizes[rng.Next(ChunkSizes.Length)];
                if (offset + size > data.Length) size = data.Length - offset;
                if (size < 512) break;
                var plain = data.AsSpan(offset, size).ToArray();
                offset += size + rng.Next(4) * 4096;   // skip some, so more files contribute
                var packed = Compress(plain);
                yield return new PclusterSample($"{Path.GetFileName(path)}@{offset - size}", Algorithm, packed, plain,
                    codec == GeneratedCodec.DeflateWindow4K ? 12 : 15);
                made++;
            }
            if (made >= count) yield break;
        }
    }

    private CompressionAlgorithm Algorithm =>
        codec is GeneratedCodec.Lz4Fast or GeneratedCodec.Lz4High ? CompressionAlgorithm.Lz4 : CompressionAlgorithm.Deflate;

    private byte[] Compress(byte[] plain)
    {
        switch (codec)
        {
            case GeneratedCodec.Lz4Fast:
            case GeneratedCodec.Lz4High:
                var buffer = new byte[LZ4Codec.MaximumOutputSize(plain.Length)];
                int n = LZ4Codec.Encode(plain, buffer, codec == GeneratedCodec.Lz4Fast ? LZ4Level.L00_FAST : LZ4Level.L09_HC);
                return buffer.AsSpan(0, n).ToArray();
            case GeneratedCodec.DeflateWindow4K:
                return ZlibRawDeflate.Compress(plain, 12, 6);
            case GeneratedCodec.DeflateWindow32K:
                return ZlibRawDeflate.IsAvailable() ? ZlibRawDeflate.Compress(plain, 15, 9) : DeflateStream32K(plain);
            default:
                return DeflateStream32K(plain);
        }
    }

    private static byte[] DeflateStream32K(byte[] plain)
    {
        using var ms = new MemoryStream();
        using (var z = new DeflateStream(ms, CompressionLevel.Optimal, leaveOpen: true))
            z.Write(plain);
        return ms.ToArray();
    }

    /// <summary>Files, spread over the roots and interleaved so every kind of content appears early.</summary>
    private IEnumerable<(string Path, byte[] Data)> Material()
    {
        var perRoot = Roots.Where(Directory.Exists).Select(root => Files(root).GetEnumerator()).ToList();
        var rng = new Random(seed);
        bool any = true;
        while (any)
        {
            any = false;
            foreach (var e in perRoot)
            {
                if (!e.MoveNext()) continue;
                any = true;
                byte[] data;
                try
                {
                    data = File.ReadAllBytes(e.Current);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    continue;
                }
                if (data.Length < 4096) continue;
                yield return (e.Current, data.Length > (1 << 20) ? data.AsSpan(rng.Next(data.Length - (1 << 20)), 1 << 20).ToArray() : data);
            }
        }
    }

    private static IEnumerable<string> Files(string root)
    {
        var list = ListFiles(root);
        // a stride through the sorted list: variety without reading everything
        int stride = Math.Max(1, list.Count / 200);
        for (int i = 0; i < list.Count; i += stride) yield return list[i];
    }

    private static List<string> ListFiles(string root)
    {
        try
        {
            return Directory.EnumerateFiles(root, "*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true })
                .Where(IsPlainFileOfAtLeast4K)
                .OrderBy(p => p, StringComparer.Ordinal)
                .ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new List<string>();
        }
    }

    private static bool IsPlainFileOfAtLeast4K(string path)
    {
        try
        {
            var fi = new FileInfo(path);
            return fi.Length >= 4096 && (fi.Attributes & FileAttributes.ReparsePoint) == 0;
        }
        catch (IOException)
        {
            return false;
        }
    }
}
