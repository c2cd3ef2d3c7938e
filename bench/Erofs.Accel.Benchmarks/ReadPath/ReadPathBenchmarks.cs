using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;

namespace Erofs.Accel.Benchmarks.ReadPath;

/// <summary>
/// Per-request cost of the reader (no FUSE): a random 4 KiB read with every pcluster already decoded in the cache
/// (hit), one with a cache far smaller than the file (mostly misses: read, decode, insert), and a sequential 128 KiB
/// read. Image: <c>$EROFS_BENCH_IMAGE</c> or the corpus's lz4hc-C64k.erofs; its largest file is read.
/// </summary>
[Config(typeof(Config))]
public class ReadPathBenchmarks
{
    private ReadPathWorkload _warm = null!, _cold = null!, _sequential = null!;

    private sealed class Config : ManualConfig
    {
        public Config() => AddDiagnoser(MemoryDiagnoser.Default);
    }

    [GlobalSetup]
    public void Setup()
    {
        string image = ReadPathWorkload.DefaultImagePath();
        _warm = new ReadPathWorkload(image, decodedCacheBytes: 1L << 30);
        _warm.ReadWholeFile();
        _cold = new ReadPathWorkload(image, decodedCacheBytes: 1L << 20);
        _sequential = new ReadPathWorkload(image, decodedCacheBytes: 128L << 20);
    }

    [Benchmark(Description = "random 4 KiB, cached")]
    public int RandomCached() => _warm.RandomRead();

    [Benchmark(Description = "random 4 KiB, uncached")]
    public int RandomUncached() => _cold.RandomRead();

    [Benchmark(Description = "sequential 128 KiB")]
    public int Sequential() => _sequential.SequentialRead();

    [GlobalCleanup]
    public void Cleanup()
    {
        _warm.Dispose();
        _cold.Dispose();
        _sequential.Dispose();
    }
}
