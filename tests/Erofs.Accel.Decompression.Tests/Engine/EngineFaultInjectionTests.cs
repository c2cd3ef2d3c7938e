using Erofs.Accel.Decompression.Engine;
using Erofs.Accel.Decompression.Tests.Engine.Support;

namespace Erofs.Accel.Decompression.Tests.Engine;

/// <summary>
/// An accelerator that fails, hangs, answers short, returns garbage or throws: every request must still come back
/// with the right bytes, the breaker must trip and recover, and nothing may leak.
/// </summary>
public sealed class EngineFaultInjectionTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly IReadOnlyList<Payload> Set = Payloads.Mixed(40, seed: 7).Where(p => p.Algorithm != CompressionAlgorithm.Zstd).ToList();

    private static EngineOptions Options(TimeProvider? clock = null, int threshold = 1_000_000, TimeSpan? timeout = null,
        int workers = 2, int queue = 64) => EngineFactory.Options("faulty", "faulty") with
    {
        WorkersPerAccelerator = workers,
        QueueCapacity = queue,
        AcceleratorTimeout = timeout ?? TimeSpan.FromSeconds(30),
        Breaker = new CircuitBreakerOptions { FailureThreshold = threshold, OpenDuration = TimeSpan.FromSeconds(10), MaxFailedProbes = 4 },
        TimeProvider = clock ?? TimeProvider.System,
    };

    private static async Task<DecompressionResult> Decode(DecompressionEngine engine, Payload payload)
    {
        var destination = new byte[payload.Original.Length];
        destination.AsSpan().Fill(0x5A);
        var result = await engine.DecompressAsync(new(payload.Compressed, destination, payload.Parameters()), Ct);
        if (result.Status == DecodeStatus.Done) Assert.True(destination.AsSpan().SequenceEqual(payload.Original), $"wrong bytes for {payload}");
        return result;
    }

    [Fact]
    public async Task EveryFaultStillGivesTheRightBytes()
    {
        using var faulty = new FaultyBackend("faulty", seed: 11,
            (Fault.Fail, 0.08), (Fault.Short, 0.08), (Fault.GarbageFail, 0.08), (Fault.GarbageLength, 0.08),
            (Fault.ClaimCorrupt, 0.08), (Fault.Throw, 0.08));
        await using var engine = EngineFactory.Create(Options(), faulty);

        var producers = Enumerable.Range(0, 4).Select(p => Task.Run(async () =>
        {
            for (int i = 0; i < 100; i++)
            {
                var result = await Decode(engine, Set[(p * 31 + i) % Set.Count]);
                Assert.Equal(DecodeStatus.Done, result.Status);
            }
        }, Ct)).ToArray();
        await Task.WhenAll(producers).WaitAsync(TimeSpan.FromMinutes(2), Ct);

        var stats = engine.GetStatistics();
        var f = stats["faulty"]!;
        Assert.Equal(400, f.Requests);
        Assert.Equal(400, f.Served + f.FallenBack);
        Assert.True(f.Served > 100, f.ToString());
        foreach (var reason in new[] { FallbackReason.BackendFailed, FallbackReason.WrongLength, FallbackReason.CorruptReportedByBackend })
            Assert.True(f.FallbacksByReason.GetValueOrDefault(reason) > 0, $"no {reason} fallback: {f}");
        Assert.Equal(f.FallenBack, stats.SoftwareServedAsFallback);
        Assert.Equal(0, stats.InFlight);
        Assert.Equal(0, stats.BuffersOutstanding);
        EngineFactory.AssertBalanced(stats);
    }

    [Fact]
    public async Task HangingAcceleratorTimesOutAndLateOutputIsDiscarded()
    {
        using var faulty = new FaultyBackend("faulty", seed: 3, (Fault.Hang, 0.3));
        await using var engine = EngineFactory.Create(Options(timeout: TimeSpan.FromMilliseconds(300), workers: 4), faulty);

        var results = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => Decode(engine, Set[i % Set.Count])))
            .WaitAsync(TimeSpan.FromMinutes(2), Ct);

        Assert.All(results, r => Assert.Equal(DecodeStatus.Done, r.Status));
        Assert.Contains(results, r => r.Fallback == FallbackReason.TimedOut);
        Assert.True(faulty.Hanging > 0);

        faulty.ReleaseHangs(); // late answers arrive now and must be thrown away
        await EngineFactory.WaitForBuffersAsync(engine);
        var stats = engine.GetStatistics();
        Assert.Equal(0, stats.BuffersOutstanding);
        Assert.Equal(0, stats.InFlight);
        Assert.Equal(0, faulty.Hanging);
        EngineFactory.AssertBalanced(stats);
    }

    [Fact]
    public async Task LateAcceleratorNeverOverwritesSoftwareResult()
    {
        using var faulty = new FaultyBackend("faulty", seed: 1) { Forced = Fault.Hang };
        await using var engine = EngineFactory.Create(Options(timeout: TimeSpan.FromMilliseconds(200), workers: 1), faulty);
        var payload = Set[0];
        var destination = new byte[payload.Original.Length];

        var result = await engine.DecompressAsync(new(payload.Compressed, destination, payload.Parameters()), Ct);
        Assert.Equal((DecodeStatus.Done, FallbackReason.TimedOut), (result.Status, result.Fallback));

        destination.AsSpan().Fill(0x77); // the caller reuses its buffer
        faulty.ReleaseHangs();
        await EngineFactory.WaitForBuffersAsync(engine);
        Assert.True(destination.AsSpan().IndexOfAnyExcept((byte)0x77) < 0, "the accelerator wrote after the engine gave up on it");
        Assert.Equal(1, faulty.DecodedCorrectly);
    }

    [Fact]
    public async Task BreakerTripsStopsCallingAndRecoversAfterProbe()
    {
        var clock = new ManualClock();
        using var faulty = new FaultyBackend("faulty", seed: 1) { Forced = Fault.Fail };
        await using var engine = EngineFactory.Create(Options(clock, threshold: 3), faulty);
        var payload = Set[1];

        for (int i = 0; i < 3; i++)
            Assert.Equal(FallbackReason.BackendFailed, (await Decode(engine, payload)).Fallback);
        Assert.Equal(BreakerState.Open, engine.GetBreakerState("faulty"));

        for (int i = 0; i < 5; i++)
        {
            var skipped = await Decode(engine, payload);
            Assert.Equal((DecodeStatus.Done, FallbackReason.BackendUnhealthy), (skipped.Status, skipped.Fallback));
        }
        Assert.Equal(3, faulty.Calls); // out of rotation: not called any more

        faulty.Forced = Fault.None; // the device recovers
        clock.Advance(TimeSpan.FromSeconds(11));
        var probe = await Decode(engine, payload);
        Assert.Equal(("faulty", FallbackReason.None), (probe.Backend, probe.Fallback));
        Assert.Equal(BreakerState.Closed, engine.GetBreakerState("faulty"));
        Assert.Equal("faulty", (await Decode(engine, payload)).Backend);

        var stats = engine.GetStatistics()["faulty"]!;
        Assert.Equal(1, stats.BreakerTrips);
        Assert.Equal(5, stats.FallbacksByReason[FallbackReason.BackendUnhealthy]);
        Assert.Equal(3, stats.FallbacksByReason[FallbackReason.BackendFailed]);
        Assert.Equal(2, stats.Served);
        EngineFactory.AssertBalanced(engine.GetStatistics());
    }

    [Fact]
    public async Task FailedProbesReopenThenDisableForGood()
    {
        var clock = new ManualClock();
        using var faulty = new FaultyBackend("faulty", seed: 1) { Forced = Fault.Throw };
        await using var engine = EngineFactory.Create(Options(clock, threshold: 2), faulty);
        var payload = Set[2];
        await Decode(engine, payload);
        await Decode(engine, payload);
        Assert.Equal(BreakerState.Open, engine.GetBreakerState("faulty"));

        var period = TimeSpan.FromSeconds(10);
        for (int probe = 0; probe < 4; probe++)
        {
            clock.Advance(period + TimeSpan.FromSeconds(1));
            Assert.Equal(DecodeStatus.Done, (await Decode(engine, payload)).Status);
            period += period;
        }
        Assert.Equal(BreakerState.Disabled, engine.GetBreakerState("faulty"));
        long calls = faulty.Calls;
        Assert.Equal(6, calls); // 2 failures + 4 probes, nothing retried forever
        clock.Advance(TimeSpan.FromDays(1));
        Assert.Equal(FallbackReason.BackendUnhealthy, (await Decode(engine, payload)).Fallback);
        Assert.Equal(calls, faulty.Calls);
    }

    [Fact]
    public async Task CorruptDataConfirmedBySoftwareIsReportedAndDoesNotTripTheBreaker()
    {
        using var faulty = new FaultyBackend("faulty", seed: 1);
        await using var engine = EngineFactory.Create(Options(threshold: 2), faulty);
        var garbage = new byte[500];
        new Random(9).NextBytes(garbage);
        var parameters = new DecodeParameters { Algorithm = CompressionAlgorithm.Deflate, DecodedLength = 8192, DeflateWindowBits = 12 };

        for (int i = 0; i < 5; i++)
        {
            var result = await engine.DecompressAsync(new(garbage, new byte[8192], parameters), Ct);
            Assert.Equal((DecodeStatus.CorruptData, FallbackReason.CorruptReportedByBackend), (result.Status, result.Fallback));
        }
        Assert.Equal(BreakerState.Closed, engine.GetBreakerState("faulty"));
        Assert.Equal(5, faulty.Calls);
        Assert.Equal(5, engine.GetStatistics().CorruptConfirmed);
    }

    [Fact]
    public async Task FalseCorruptVerdictsCountAsFailures()
    {
        using var faulty = new FaultyBackend("faulty", seed: 1) { Forced = Fault.ClaimCorrupt };
        await using var engine = EngineFactory.Create(Options(threshold: 3), faulty);
        for (int i = 0; i < 3; i++)
        {
            var result = await Decode(engine, Set[3]);
            Assert.Equal((DecodeStatus.Done, FallbackReason.CorruptReportedByBackend), (result.Status, result.Fallback));
        }
        Assert.Equal(BreakerState.Open, engine.GetBreakerState("faulty"));
    }

    [Fact]
    public async Task CancellationWhileTheAcceleratorHangsReturnsPromptly()
    {
        using var faulty = new FaultyBackend("faulty", seed: 1) { Forced = Fault.Hang };
        await using var engine = EngineFactory.Create(Options(workers: 1), faulty);
        var payload = Set[4];
        var destination = new byte[payload.Original.Length];
        destination.AsSpan().Fill(0x42);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        var pending = engine.DecompressAsync(new(payload.Compressed, destination, payload.Parameters()), cts.Token).AsTask();
        while (faulty.Hanging == 0) await Task.Delay(5, Ct);
        cts.Cancel();
        var result = await pending.WaitAsync(TimeSpan.FromSeconds(30), Ct);

        Assert.Equal(DecodeStatus.Cancelled, result.Status);
        faulty.ReleaseHangs();
        await EngineFactory.WaitForBuffersAsync(engine);
        Assert.True(destination.AsSpan().IndexOfAnyExcept((byte)0x42) < 0, "a cancelled request's destination was written");
        var stats = engine.GetStatistics();
        Assert.Equal(1, stats["faulty"]!.Cancelled);
        Assert.Equal(0, stats.BuffersOutstanding);
        EngineFactory.AssertBalanced(stats);
    }

    [Fact]
    public async Task FullQueueMakesProducersWaitButNeverLosesRequests()
    {
        using var faulty = new FaultyBackend("faulty", seed: 1) { Forced = Fault.Hang };
        await using var engine = EngineFactory.Create(Options(timeout: TimeSpan.FromMilliseconds(400), workers: 1, queue: 2), faulty);

        var results = await Task.WhenAll(Enumerable.Range(0, 12).Select(i => Decode(engine, Set[i % Set.Count])))
            .WaitAsync(TimeSpan.FromMinutes(2), Ct);

        Assert.All(results, r => Assert.Equal((DecodeStatus.Done, FallbackReason.TimedOut), (r.Status, r.Fallback)));
        faulty.ReleaseHangs();
        await EngineFactory.WaitForBuffersAsync(engine);
        var stats = engine.GetStatistics();
        Assert.Equal(12, stats["faulty"]!.Requests);
        Assert.Equal(0, stats.BuffersOutstanding);
        EngineFactory.AssertBalanced(stats);
    }

    [Fact]
    public async Task DisposeDoesNotWaitForeverOnAStuckBackendNorDisposeIt()
    {
        var faulty = new FaultyBackend("faulty", seed: 1) { Forced = Fault.Hang };
        var engine = new DecompressionEngine(Options(timeout: TimeSpan.FromMilliseconds(200), workers: 1) with
        {
            ShutdownTimeout = TimeSpan.FromMilliseconds(300),
        }, [faulty], ownsBackends: true);
        var result = await Decode(engine, Set[5]);
        Assert.Equal(FallbackReason.TimedOut, result.Fallback);

        await engine.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(60), Ct);

        Assert.False(faulty.IsDisposed); // a worker is still inside it
        faulty.ReleaseHangs();
        faulty.Dispose();
    }
}
