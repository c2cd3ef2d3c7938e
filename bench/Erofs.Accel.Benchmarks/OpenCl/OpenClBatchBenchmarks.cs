using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Erofs.Accel.Decompression;
using Erofs.Accel.Decompression.OpenCl;

namespace Erofs.Accel.Benchmarks.OpenCl;

/// <summary>
/// OpenCL batch decoding against single-thread software on the same pclusters, for batch sizes 64..8192 of 16 KiB
/// items. Found by BenchmarkSwitcher.FromAssembly (filter *OpenClBatch*). Skips the OpenCL case (reports it as
/// failed setup) when no OpenCL device is usable.
/// </summary>
[Config(typeof(OpenClBenchConfig))]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByParams)]
public class OpenClBatchBenchmarks
{
    public const int ItemBytes = 16 << 10;

    private OpenClBackend? backend;
    private OpenClBenchData? data;

    [Params(CompressionAlgorithm.Lz4, CompressionAlgorithm.Deflate)]
    public CompressionAlgorithm Algorithm { get; set; }

    [Params(64, 256, 1024, 4096, 8192)]
    public int BatchSize { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        data = new OpenClBenchData(Algorithm, ItemBytes, BatchSize);
        backend = OpenClBackend.Create(new OpenClBackendOptions { Calibrate = false });
        if (!backend.Availability.IsAvailable) throw new InvalidOperationException(backend.Availability.ToString());
    }

    [GlobalCleanup]
    public void Cleanup() => backend?.Dispose();

    [Benchmark(Baseline = true, Description = "software, 1 thread")]
    public long Software() => data!.DecodeSoftware(BatchSize);

    [Benchmark(Description = "opencl batch")]
    public async Task<int> OpenCl()
    {
        await backend!.DecodeBatchAsync(data!.Requests, data.Results);
        int done = 0;
        foreach (var r in data.Results) if (r.Status == DecodeStatus.Done) done++;
        if (done != data.Results.Length) throw new InvalidOperationException($"{data.Results.Length - done} items failed");
        return done;
    }
}
