using BenchmarkDotNet.Attributes;
using Erofs.Accel.Benchmarks.Interop;
using Erofs.Accel.Benchmarks.Pclusters;

namespace Erofs.Accel.Benchmarks;

/// <summary>
/// Decodes a whole <see cref="PclusterSet"/> per operation with one backend. "raw-*" cases call the native library
/// directly (no validation, no pooling) as the baseline; the others go through our <see cref="IDecompressionBackend"/>.
/// </summary>
[Config(typeof(DecodeBenchmarkConfig))]
public class DecodeBenchmarks
{
    private PclusterSet _set = null!;
    private Pcluster[] _items = [];
    private DecodeParameters[] _parameters = [];
    private byte[] _destination = [];
    private IDecompressionBackend? _backend;
    private nint _rawDeflate;

    /// <summary>
    /// A backend name ("lz4-liblz4", ...) or a raw native baseline ("lz4-raw" = LZ4_decompress_safe,
    /// "deflate-raw" = libdeflate_deflate_decompress). The algorithm is the part before the first '-'.
    /// </summary>
    [ParamsSource(nameof(Cases))]
    public string Case { get; set; } = "";

    [Params(4096, 16384, 65536)]
    public int PclusterSize { get; set; }

    public static IEnumerable<string> Cases =>
    [
        "lz4-raw", "lz4-liblz4", "lz4-k4os",
        "deflate-raw", "deflate-libdeflate", "deflate-bcl",
        "lzma-liblzma", "lzma-managed",
        "zstd-libzstd", "zstd-zstdsharp",
    ];

    public static CompressionAlgorithm AlgorithmOf(string benchmarkCase) => benchmarkCase.Split('-')[0] switch
    {
        "lz4" => CompressionAlgorithm.Lz4,
        "deflate" => CompressionAlgorithm.Deflate,
        "lzma" => CompressionAlgorithm.MicroLzma,
        "zstd" => CompressionAlgorithm.Zstd,
        var other => throw new ArgumentException($"unknown algorithm {other}"),
    };

    [GlobalSetup]
    public void Setup()
    {
        _set = PclusterSets.Create().Load(AlgorithmOf(Case), PclusterSize);
        _items = [.. _set.Items];
        _parameters = _items.Select(p => _set.Parameters with { DecodedLength = p.DecodedLength }).ToArray();
        _destination = new byte[_set.MaxDecodedLength];
        switch (Case)
        {
            case "lz4-raw":
                break;
            case "deflate-raw":
                _rawDeflate = RawLibdeflate.AllocDecompressor();
                break;
            default:
                _backend = SoftwareBackends.CreateAll().Single(b => b.Name == Case);
                if (!_backend.Availability.IsAvailable) throw new InvalidOperationException($"{Case} {_backend.Availability}");
                break;
        }
        long decoded = Decode();
        if (decoded != _set.TotalDecodedBytes) throw new InvalidOperationException($"{Case}: decoded {decoded} of {_set.TotalDecodedBytes} bytes");
        Console.WriteLine($"// {Case} {PclusterSize}: {_set}");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        if (_rawDeflate != 0) RawLibdeflate.FreeDecompressor(_rawDeflate);
        _rawDeflate = 0;
        (_backend as IDisposable)?.Dispose();
    }

    /// <summary>Decodes every pcluster of the set; returns the decoded byte count (checked against the set in setup).</summary>
    [Benchmark]
    public long Decode() => Case switch
    {
        "lz4-raw" => DecodeRawLz4(),
        "deflate-raw" => DecodeRawDeflate(),
        _ => DecodeWithBackend(),
    };

    private long DecodeWithBackend()
    {
        long total = 0;
        var backend = _backend!;
        for (int i = 0; i < _items.Length; i++)
        {
            if (backend.Decode(_items[i].Compressed, _destination, _parameters[i], out int written) == DecodeStatus.Done)
                total += written;
        }
        return total;
    }

    private unsafe long DecodeRawLz4()
    {
        long total = 0;
        fixed (byte* dst = _destination)
        {
            for (int i = 0; i < _items.Length; i++)
            {
                fixed (byte* src = _items[i].Compressed)
                {
                    int n = RawLiblz4.DecompressSafe(src, dst, _items[i].Compressed.Length, _items[i].DecodedLength);
                    if (n == _items[i].DecodedLength) total += n;
                }
            }
        }
        return total;
    }

    private unsafe long DecodeRawDeflate()
    {
        long total = 0;
        fixed (byte* dst = _destination)
        {
            for (int i = 0; i < _items.Length; i++)
            {
                nuint actual;
                fixed (byte* src = _items[i].Compressed)
                {
                    int result = RawLibdeflate.DeflateDecompress(_rawDeflate, src, (nuint)_items[i].Compressed.Length, dst, (nuint)_items[i].DecodedLength, &actual);
                    if (result == 0) total += (long)actual;
                }
            }
        }
        return total;
    }
}
