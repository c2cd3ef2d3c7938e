using Erofs.Accel.Decompression.Engine;
using Erofs.Accel.Decompression.Tests.Engine.Support;

namespace Erofs.Accel.Decompression.Tests.Engine;

public sealed class EngineBatchTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static (DecompressionRequest[] Requests, Payload[] Payloads) Batch(int count, int seed, bool withZstd = false)
    {
        var payloads = Payloads.Mixed(count * 2, seed).Where(p => withZstd || p.Algorithm != CompressionAlgorithm.Zstd).Take(count).ToArray();
        var requests = payloads.Select(p => new DecompressionRequest(p.Compressed, new byte[p.Original.Length], p.Parameters())).ToArray();
        return (requests, payloads);
    }

    private static void AssertCorrect(DecompressionRequest[] requests, Payload[] payloads, DecompressionResult[] results)
    {
        for (int i = 0; i < requests.Length; i++)
        {
            Assert.Equal(DecodeStatus.Done, results[i].Status);
            Assert.True(requests[i].Destination.Span.SequenceEqual(payloads[i].Original), $"item {i} ({payloads[i]}) wrong via {results[i].Backend}");
        }
    }

    private static EngineOptions Options(TimeSpan? batchTimeout = null) => EngineFactory.Options("batcher", "batcher") with
    {
        BatchTimeout = batchTimeout ?? TimeSpan.FromSeconds(60),
    };

    [Fact]
    public async Task LargeBatchGoesToTheBatchBackendAsOneSubmission()
    {
        using var batcher = new TestBatchBackend("batcher", minimumBatchSize: 8);
        await using var engine = EngineFactory.Create(Options(), batcher);
        var (requests, payloads) = Batch(20, seed: 1);
        var results = new DecompressionResult[requests.Length];

        await engine.DecompressBatchAsync(requests, results, Ct);

        AssertCorrect(requests, payloads, results);
        Assert.Equal([20], batcher.BatchSizes);
        Assert.All(results, r => Assert.Equal("batcher", r.Backend));
        Assert.Equal(20, engine.GetStatistics()["batcher"]!.Served);
    }

    [Fact]
    public async Task SmallBatchStaysInSoftware()
    {
        using var batcher = new TestBatchBackend("batcher", minimumBatchSize: 8);
        await using var engine = EngineFactory.Create(Options(), batcher);
        var (requests, payloads) = Batch(5, seed: 2);
        var results = new DecompressionResult[requests.Length];

        await engine.DecompressBatchAsync(requests, results, Ct);

        AssertCorrect(requests, payloads, results);
        Assert.Empty(batcher.BatchSizes);
        Assert.Equal(0, engine.GetStatistics()["batcher"]!.Requests);
    }

    [Fact]
    public async Task ItemsOfOtherAlgorithmsGoToSoftware()
    {
        using var batcher = new TestBatchBackend("batcher", minimumBatchSize: 4);
        await using var engine = EngineFactory.Create(Options(), batcher);
        var (requests, payloads) = Batch(30, seed: 3, withZstd: true);
        Assert.Contains(payloads, p => p.Algorithm == CompressionAlgorithm.Zstd);
        var results = new DecompressionResult[requests.Length];

        await engine.DecompressBatchAsync(requests, results, Ct);

        AssertCorrect(requests, payloads, results);
        for (int i = 0; i < payloads.Length; i++)
            Assert.Equal(payloads[i].Algorithm == CompressionAlgorithm.Zstd, results[i].Backend != "batcher");
    }

    [Fact]
    public async Task FailedItemsAreDecodedInSoftwareAndTheirGarbageNeverLands()
    {
        using var batcher = new TestBatchBackend("batcher", minimumBatchSize: 4) { FailItems = (3, DecodeStatus.BackendFailure) };
        await using var engine = EngineFactory.Create(Options(), batcher);
        var (requests, payloads) = Batch(12, seed: 4);
        var results = new DecompressionResult[requests.Length];

        await engine.DecompressBatchAsync(requests, results, Ct);

        AssertCorrect(requests, payloads, results);
        Assert.Equal(4, results.Count(r => r.Fallback == FallbackReason.BackendFailed));
        var stats = engine.GetStatistics();
        Assert.Equal((12, 8, 4), (stats["batcher"]!.Requests, stats["batcher"]!.Served, stats["batcher"]!.FallenBack));
        Assert.Equal(0, stats.BuffersOutstanding);
    }

    [Fact]
    public async Task ThrowingBatchFallsBackEntirely()
    {
        using var batcher = new TestBatchBackend("batcher", minimumBatchSize: 2) { ThrowOnBatch = true };
        await using var engine = EngineFactory.Create(Options(), batcher);
        var (requests, payloads) = Batch(6, seed: 5);
        var results = new DecompressionResult[requests.Length];

        await engine.DecompressBatchAsync(requests, results, Ct);

        AssertCorrect(requests, payloads, results);
        Assert.All(results, r => Assert.Equal(FallbackReason.BackendFailed, r.Fallback));
    }

    [Fact]
    public async Task HangingBatchTimesOutAndReturnsItsBuffersWhenItEnds()
    {
        using var batcher = new TestBatchBackend("batcher", minimumBatchSize: 2) { HangBatches = true };
        await using var engine = EngineFactory.Create(Options(TimeSpan.FromMilliseconds(300)), batcher);
        var (requests, payloads) = Batch(6, seed: 6);
        var results = new DecompressionResult[requests.Length];

        await engine.DecompressBatchAsync(requests, results, Ct).AsTask().WaitAsync(TimeSpan.FromMinutes(1), Ct);

        AssertCorrect(requests, payloads, results);
        Assert.All(results, r => Assert.Equal(FallbackReason.TimedOut, r.Fallback));
        Assert.True(engine.GetStatistics().BuffersOutstanding > 0); // still lent to the hung backend
        var snapshot = requests.Select(r => r.Destination.ToArray()).ToArray();
        batcher.ReleaseHangs();
        await EngineFactory.WaitForBuffersAsync(engine);
        Assert.Equal(0, engine.GetStatistics().BuffersOutstanding);
        for (int i = 0; i < requests.Length; i++) Assert.True(snapshot[i].AsSpan().SequenceEqual(requests[i].Destination.Span));
    }

    [Fact]
    public async Task CancellingABatchStuckBehindOthersReturnsCancelledAndLeaksNothing()
    {
        using var batcher = new TestBatchBackend("batcher", minimumBatchSize: 2) { HangBatches = true };
        await using var engine = EngineFactory.Create(Options(TimeSpan.FromMilliseconds(500)) with
        {
            WorkersPerAccelerator = 1,
            BatchQueueCapacity = 1,
        }, batcher);
        var (first, firstPayloads) = Batch(4, seed: 10);
        var (second, secondPayloads) = Batch(4, seed: 11);
        var (third, _) = Batch(4, seed: 12);
        var firstResults = new DecompressionResult[4];
        var secondResults = new DecompressionResult[4];
        var thirdResults = new DecompressionResult[4];

        var a = engine.DecompressBatchAsync(first, firstResults, Ct).AsTask();
        while (batcher.BatchSizes.Count == 0) await Task.Delay(5, Ct); // the worker holds the first batch
        var b = engine.DecompressBatchAsync(second, secondResults, Ct).AsTask();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        cts.CancelAfter(100);
        await engine.DecompressBatchAsync(third, thirdResults, cts.Token).AsTask().WaitAsync(TimeSpan.FromMinutes(1), Ct);

        Assert.All(thirdResults, r => Assert.Equal(DecodeStatus.Cancelled, r.Status));
        await Task.WhenAll(a, b).WaitAsync(TimeSpan.FromMinutes(1), Ct);
        AssertCorrect(first, firstPayloads, firstResults);
        AssertCorrect(second, secondPayloads, secondResults);
        batcher.ReleaseHangs();
        await EngineFactory.WaitForBuffersAsync(engine);
        var stats = engine.GetStatistics();
        Assert.Equal(0, stats.BuffersOutstanding);
        Assert.Equal(0, stats.InFlight);
    }

    [Fact]
    public async Task BatchWithoutBatchBackendSpreadsOverSoftwareThreads()
    {
        await using var engine = EngineFactory.Create(EngineFactory.Options("software") with { ParallelSoftwareThreshold = 4, SoftwareParallelism = 2, ParallelSoftwareMinBytes = 0 });
        var (requests, payloads) = Batch(40, seed: 8, withZstd: true);
        var results = new DecompressionResult[requests.Length];

        await engine.DecompressBatchAsync(requests, results, Ct);

        AssertCorrect(requests, payloads, results);
    }

    [Fact]
    public async Task InvalidItemThrowsBeforeAnythingRuns()
    {
        await using var engine = EngineFactory.Create(EngineFactory.Options("software"));
        var (requests, _) = Batch(3, seed: 9);
        requests[1] = requests[1] with { Destination = new byte[1] };
        await Assert.ThrowsAsync<ArgumentException>(async () => await engine.DecompressBatchAsync(requests, new DecompressionResult[3], Ct));
        Assert.Equal(0, engine.GetStatistics()[DecompressionEngine.SoftwareName]!.Requests);
    }
}
