using Erofs.Accel.Decompression.Engine;
using Erofs.Accel.Decompression.Tests.Engine.Support;

namespace Erofs.Accel.Decompression.Tests.Engine;

/// <summary>
/// The engine through the reader's synchronous, span-based contract (<see cref="IPclusterDecompressor"/>): software
/// inline with no allocation, accelerators waited for inside the call, batches over one source and one destination
/// span, and the one process-wide limit on helper threads.
/// </summary>
public sealed class EngineContractTests
{
    private static readonly byte[] Original = Payloads.Data(20000, 7);

    /// <summary>Lays payloads out as the reader does: streams back to back in one source, outputs in one destination.</summary>
    private static (byte[] Source, byte[] Destination, DecompressionBatchItem[] Items) Layout(IReadOnlyList<Payload> payloads)
    {
        var source = payloads.SelectMany(p => p.Compressed).ToArray();
        var destination = new byte[payloads.Sum(p => p.Original.Length) + 3];
        var items = new DecompressionBatchItem[payloads.Count];
        for (int i = 0, inAt = 0, outAt = 3; i < payloads.Count; inAt += payloads[i].Compressed.Length, outAt += payloads[i].Original.Length, i++)
            items[i] = new DecompressionBatchItem(inAt, payloads[i].Compressed.Length, outAt, payloads[i].Parameters());
        return (source, destination, items);
    }

    private static void AssertDecoded(IReadOnlyList<Payload> payloads, byte[] destination, DecompressionBatchItem[] items, DecompressionResult[] results)
    {
        for (int i = 0; i < payloads.Count; i++)
        {
            Assert.Equal(DecodeStatus.Done, results[i].Status);
            Assert.True(destination.AsSpan(items[i].DestinationOffset, payloads[i].Original.Length).SequenceEqual(payloads[i].Original),
                $"item {i} ({payloads[i]}) wrong via {results[i].Backend}");
        }
    }

    [Fact]
    public void SoftwareRequestsDecodeInlineWithoutAllocating()
    {
        using var engine = EngineFactory.Create(EngineFactory.Options("software"));
        IPclusterDecompressor decompressor = engine;
        var payload = Payloads.Lz4(Original);
        var destination = new byte[Original.Length];
        for (int warm = 0; warm < 100; warm++) decompressor.Decompress(payload.Compressed, destination, payload.Parameters());
        long fewest = long.MaxValue;
        for (int round = 0; round < 5 && fewest > 0; round++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 20; i++) Assert.True(decompressor.Decompress(payload.Compressed, destination, payload.Parameters()).Succeeded);
            fewest = Math.Min(fewest, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        Assert.Equal(0, fewest);
        Assert.Equal(Original, destination);
    }

    [Fact]
    public void AnAcceleratedRequestIsWaitedForInsideTheCall()
    {
        using var accelerator = new FaultyBackend("faulty", 1);
        using var engine = EngineFactory.Create(EngineFactory.Options("faulty", "faulty"), accelerator);
        var payload = Payloads.Deflate(Original, 12);
        Span<byte> destination = new byte[Original.Length];

        var result = engine.Decompress(payload.Compressed, destination, payload.Parameters());

        Assert.Equal(("faulty", DecodeStatus.Done, FallbackReason.None), (result.Backend, result.Status, result.Fallback));
        Assert.True(destination.SequenceEqual(Original));
        Assert.Equal(1, accelerator.Calls);
    }

    [Theory]
    [InlineData(nameof(Fault.Fail), FallbackReason.BackendFailed)]
    [InlineData(nameof(Fault.Short), FallbackReason.WrongLength)]
    [InlineData(nameof(Fault.GarbageLength), FallbackReason.WrongLength)]
    [InlineData(nameof(Fault.Throw), FallbackReason.BackendFailed)]
    public void AFailingAcceleratorFallsBackToSoftwareInsideTheCall(string fault, FallbackReason reason)
    {
        using var accelerator = new FaultyBackend("faulty", 1) { Forced = Enum.Parse<Fault>(fault) };
        using var engine = EngineFactory.Create(EngineFactory.Options("faulty", "faulty"), accelerator);
        var payload = Payloads.Deflate(Original, 12);
        var destination = new byte[Original.Length];

        var result = engine.Decompress(payload.Compressed, destination, payload.Parameters());

        Assert.Equal((DecodeStatus.Done, reason), (result.Status, result.Fallback));
        Assert.Equal(Original, destination);
    }

    [Fact]
    public void ABatchOverOneSourceAndOneDestinationGoesToTheBatchBackend()
    {
        using var batcher = new TestBatchBackend("batcher", minimumBatchSize: 8);
        using var engine = EngineFactory.Create(EngineFactory.Options("batcher", "batcher") with { BatchTimeout = TimeSpan.FromSeconds(60) }, batcher);
        var payloads = Payloads.Mixed(40, 5).Where(p => p.Algorithm != CompressionAlgorithm.Zstd).Take(20).ToArray();
        var (source, destination, items) = Layout(payloads);
        var results = new DecompressionResult[items.Length];

        engine.DecompressBatch(source, destination, items, results);

        AssertDecoded(payloads, destination, items, results);
        Assert.Equal([20], batcher.BatchSizes);
        Assert.All(results, r => Assert.Equal("batcher", r.Backend));
        Assert.Equal(0, destination[0] | destination[1] | destination[2]); // nothing written outside the items
    }

    [Fact]
    public void ASoftwareBatchIsSpreadOverSharedHelpersAndDecodedCorrectly()
    {
        var options = EngineFactory.Options("software") with { ParallelSoftwareThreshold = 2, ParallelSoftwareMinBytes = 0, SoftwareParallelism = 4 };
        using var engine = EngineFactory.Create(options);
        var payloads = Payloads.Mixed(64, 9);
        var (source, destination, items) = Layout(payloads);
        var results = new DecompressionResult[items.Length];

        engine.DecompressBatch(source, destination, items, results);

        AssertDecoded(payloads, destination, items, results);
        Assert.Equal(64, engine.GetStatistics()[DecompressionEngine.SoftwareName]!.Served);
    }

    [Fact]
    public void AnInvalidBatchItemThrowsBeforeAnythingIsDecoded()
    {
        using var engine = EngineFactory.Create(EngineFactory.Options("software"));
        var payloads = Payloads.Mixed(4, 3);
        var (source, destination, items) = Layout(payloads);
        items[3] = items[3] with { DestinationOffset = destination.Length };
        Assert.Throws<ArgumentException>(() => engine.DecompressBatch(source, destination, items, new DecompressionResult[items.Length]));
        Assert.Equal(0, engine.GetStatistics()[DecompressionEngine.SoftwareName]!.Requests);
    }

    /// <summary>Records how many items run at once on threads that are not the callers'.</summary>
    private sealed class ConcurrencyProbe : IIndexedWork
    {
        [ThreadStatic] public static bool IsCaller;
        private int _helpersNow;
        public int MostHelpersAtOnce;
        public int Items;

        public void Run(int index)
        {
            Interlocked.Increment(ref Items);
            if (IsCaller)
            {
                Thread.SpinWait(2000);
                return;
            }
            int now = Interlocked.Increment(ref _helpersNow);
            int most;
            while (now > (most = Volatile.Read(ref MostHelpersAtOnce)) && Interlocked.CompareExchange(ref MostHelpersAtOnce, now, most) != most) { }
            Thread.Sleep(1);
            Interlocked.Decrement(ref _helpersNow);
        }
    }

    [Fact]
    public void ManyCallersShareOneLimitOfHelperThreads()
    {
        var probe = new ConcurrencyProbe();
        var callers = Enumerable.Range(0, 8).Select(_ => new Thread(() =>
        {
            ConcurrencyProbe.IsCaller = true;
            for (int round = 0; round < 5; round++) SharedDecodeThreads.For(32, maxThreads: 16, probe);
        })).ToList();
        callers.ForEach(t => t.Start());
        callers.ForEach(t => t.Join());

        Assert.Equal(8 * 5 * 32, probe.Items);
        // every caller asked for 15 helpers: together they never had more than the machine's cores minus one
        Assert.InRange(probe.MostHelpersAtOnce, 0, Math.Max(0, Environment.ProcessorCount - 1));
    }

    [Fact]
    public void AnItemThatThrowsFailsTheWholeCallAfterEveryItemRan()
    {
        int ran = 0;
        var work = new ThrowingWork(() => Interlocked.Increment(ref ran));
        var error = Assert.Throws<InvalidOperationException>(() => SharedDecodeThreads.For(20, 4, work));
        Assert.Equal("item 7", error.Message);
        Assert.Equal(20, ran);
    }

    [Fact]
    public void WithEveryHelperBusyTheCallerStillRunsEveryItemBeforeRethrowing()
    {
        // another caller holds the helpers (its items wait): this call gets none and runs its items on its own thread
        using var release = new ManualResetEventSlim();
        var holder = new Thread(() => SharedDecodeThreads.For(64, 64, new WaitingWork(release)));
        holder.Start();
        try
        {
            SpinWait.SpinUntil(() => SharedDecodeThreads.Free == 0, 10_000);
            int ran = 0;
            var error = Assert.Throws<InvalidOperationException>(() =>
                SharedDecodeThreads.For(20, 4, new ThrowingWork(() => Interlocked.Increment(ref ran))));
            Assert.Equal("item 7", error.Message);
            Assert.Equal(20, ran);
        }
        finally
        {
            release.Set();
            holder.Join();
        }
    }

    private sealed class WaitingWork(ManualResetEventSlim release) : IIndexedWork
    {
        public void Run(int index) => release.Wait();
    }

    private sealed class ThrowingWork(Action counted) : IIndexedWork
    {
        public void Run(int index)
        {
            counted();
            if (index == 7) throw new InvalidOperationException("item 7");
        }
    }
}
