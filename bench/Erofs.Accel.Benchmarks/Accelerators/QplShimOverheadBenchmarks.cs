using BenchmarkDotNet.Attributes;
using Erofs.Accel.Benchmarks.Interop;
using Erofs.Accel.Decompression.Backends.Qpl;
using Erofs.Accel.Decompression.Engine;
using Erofs.Accel.Decompression.Tests.TestSupport;
using Erofs.Accel.Decompression.Tests.TestSupport.Encoders;

namespace Erofs.Accel.Benchmarks.Accelerators;

/// <summary>
/// What the QPL shim and the engine cost on top of QPL itself, on QPL's software path (no IAA needed; the same shim
/// and engine code drive IAA). Every operation decodes the same 2 MiB of 4 KiB-window DEFLATE pclusters:
/// <list type="bullet">
/// <item><c>DirectQpl</c> (baseline): qpl_execute_job on a job of our own, as a caller of QPL would;</item>
/// <item><c>Shim</c>: <see cref="QplBackend.Decode"/>, the shim's export table (pooled job, argument checks, length
/// verdict) plus the backend — the "shim overhead", target &lt;= 5 %;</item>
/// <item><c>EngineInFlight</c>: the whole engine — queue, the lane driver keeping 4 jobs in flight through
/// submit/poll, private buffers and the copy to the caller.</item>
/// </list>
/// dotnet run -c Release --project bench/Erofs.Accel.Benchmarks -- --filter '*QplShimOverhead*' [--job short]
/// </summary>
[Config(typeof(QplShimOverheadBenchmarks.Config))]
public class QplShimOverheadBenchmarks
{
    private const int TotalBytes = 2 << 20;
    private const int SoftwarePath = 2;

    private (byte[] Compressed, int Length)[] _items = [];
    private DecodeParameters[] _parameters = [];
    private byte[] _source = [];
    private DecompressionBatchItem[] _batch = [];
    private DecompressionResult[] _results = [];
    private byte[] _destination = [];
    private QplDirect _direct = null!;
    private QplBackend _backend = null!;
    private DecompressionEngine _engine = null!;

    [Params(4096, 65536)]
    public int PclusterSize { get; set; }

    /// <summary>Allocation column; the ratio column comes from the baseline.</summary>
    public sealed class Config : BenchmarkDotNet.Configs.ManualConfig
    {
        public Config() => AddDiagnoser(BenchmarkDotNet.Diagnosers.MemoryDiagnoser.Default);
    }

    [GlobalSetup]
    public void Setup()
    {
        var data = new byte[TotalBytes];
        TestData.Generate(DataKind.Text, TotalBytes / 2, seed: 21).CopyTo(data, 0);
        TestData.Generate(DataKind.Mixed, TotalBytes - TotalBytes / 2, seed: 22).CopyTo(data, TotalBytes / 2);
        var items = new List<(byte[], int)>();
        for (int offset = 0; offset < TotalBytes; offset += PclusterSize)
        {
            var chunk = data.AsSpan(offset, Math.Min(PclusterSize, TotalBytes - offset)).ToArray();
            items.Add((DeflateEncoders.Zlib(chunk, 6, 12).Compressed, chunk.Length));
        }
        _items = [.. items];
        _parameters = _items.Select(i => new DecodeParameters
        {
            Algorithm = CompressionAlgorithm.Deflate, DecodedLength = i.Length, DeflateWindowBits = 12,
        }).ToArray();
        _destination = new byte[TotalBytes];
        // the engine's batch contract: every stream in one source span, every output in one destination span
        _source = _items.SelectMany(i => i.Compressed).ToArray();
        var batch = new DecompressionBatchItem[_items.Length];
        for (int k = 0, at = 0; k < _items.Length; at += _items[k].Compressed.Length, k++)
            batch[k] = new DecompressionBatchItem(at, _items[k].Compressed.Length, k * PclusterSize, _parameters[k]);
        _batch = batch;
        _results = new DecompressionResult[_items.Length];

        _direct = QplDirect.Create(SoftwarePath);
        _backend = new QplBackend(new QplBackendOptions { Path = AcceleratorPath.Software, PoolSize = 4 });
        if (!_backend.Availability.IsAvailable) throw new InvalidOperationException($"QPL: {_backend.Availability}");
        // a queue that holds the whole set: this measures the pipeline, not backpressure
        _engine = new DecompressionEngine(new EngineOptions { Policy = AccelerationPolicy.Parse("qpl"), QueueCapacity = 1024 },
            [new QplBackend(new QplBackendOptions { Path = AcceleratorPath.Software, PoolSize = 4 })], ownsBackends: true);
        foreach (var (name, decoded) in new[] { ("direct", DirectQpl()), ("shim", Shim()), ("engine", EngineInFlight()) })
            if (decoded != TotalBytes) throw new InvalidOperationException($"{name}: decoded {decoded} of {TotalBytes} bytes");
        Console.WriteLine($"// {_items.Length} pclusters of {PclusterSize} B, zlib level 6, windowbits 12, {_items.Sum(i => i.Compressed.Length)} B compressed");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _engine.Dispose();
        _backend.Dispose();
        _direct.Dispose();
    }

    [Benchmark(Baseline = true)]
    public long DirectQpl()
    {
        long total = 0;
        var destination = _destination.AsSpan();
        for (int k = 0; k < _items.Length; k++)
        {
            var (compressed, length) = _items[k];
            if (_direct.Decompress(compressed, destination.Slice(k * PclusterSize, length), out int written) != 0) return -1;
            total += written;
        }
        return total;
    }

    [Benchmark]
    public long Shim()
    {
        long total = 0;
        var destination = _destination.AsSpan();
        for (int k = 0; k < _items.Length; k++)
        {
            var (compressed, length) = _items[k];
            if (_backend.Decode(compressed, destination.Slice(k * PclusterSize, length), _parameters[k], out int written) != DecodeStatus.Done)
                return -1;
            total += written;
        }
        return total;
    }

    [Benchmark]
    public long EngineInFlight()
    {
        _engine.DecompressBatch(_source, _destination, _batch, _results);
        long total = 0;
        foreach (var result in _results)
        {
            if (result.Status != DecodeStatus.Done || result.Backend != QplBackend.BackendName) return -1;
            total += result.BytesWritten;
        }
        return total;
    }
}
