using Erofs.Accel.Decompression.Engine;
using Erofs.Accel.Decompression.Tests.Engine.Support;

namespace Erofs.Accel.Decompression.Tests.Accelerators;

/// <summary>The engine driving QPL's software path through the shim, as it would drive IAA.</summary>
public sealed class QplEngineTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static EngineOptions Options() => EngineFactory.Options("qpl") with { AcceleratorTimeout = TimeSpan.FromSeconds(60) };

    [Fact]
    public async Task FourKiBWindowsGoToQplAndWideWindowsStraightToSoftware()
    {
        var qpl = AcceleratorTestBackends.QplSoftwarePath();
        await using var engine = new DecompressionEngine(Options(), [qpl], ownsBackends: true);
        var original = Payloads.Data(100000, 11);
        var w4k = Payloads.Deflate(original, 12);
        var w32k = Payloads.Deflate(original, 15);

        var destination = new byte[original.Length];
        var viaQpl = await engine.DecompressAsync(new(w4k.Compressed, destination, w4k.Parameters()), Ct);
        Assert.Equal(("qpl", DecodeStatus.Done, FallbackReason.None), (viaQpl.Backend, viaQpl.Status, viaQpl.Fallback));
        Assert.Equal(original, destination);

        Array.Clear(destination);
        long qplRuns = qpl.SoftwareRuns;
        var wide = engine.DecompressAsync(new(w32k.Compressed, destination, w32k.Parameters()), Ct);
        Assert.True(wide.IsCompletedSuccessfully); // never queued to QPL
        var viaSoftware = await wide;
        Assert.Equal((DecodeStatus.Done, FallbackReason.None), (viaSoftware.Status, viaSoftware.Fallback));
        Assert.NotEqual("qpl", viaSoftware.Backend);
        Assert.Equal(original, destination);
        Assert.Equal(qplRuns, qpl.SoftwareRuns);

        var stats = engine.GetStatistics()["qpl"]!;
        Assert.Equal((1, 1, 0), (stats.Requests, stats.Served, stats.FallenBack));
    }

    [Fact]
    public async Task TruncatedPclusterIsDecodedBySoftwareWhichConfirmsCorruption()
    {
        var qpl = AcceleratorTestBackends.QplSoftwarePath();
        await using var engine = new DecompressionEngine(Options(), [qpl], ownsBackends: true);
        var payload = Payloads.Deflate(Payloads.Data(60000, 12), 12);

        var result = await engine.DecompressAsync(new(payload.Compressed.AsMemory(0, payload.Compressed.Length / 2),
            new byte[60000], payload.Parameters()), Ct);

        Assert.Equal(DecodeStatus.CorruptData, result.Status);
        Assert.NotEqual(FallbackReason.None, result.Fallback);
        Assert.Equal(BreakerState.Closed, engine.GetBreakerState("qpl"));
    }

    [Fact]
    public async Task ConcurrentProducersThroughQpl()
    {
        var qpl = AcceleratorTestBackends.QplSoftwarePath(poolSize: 3);
        await using var engine = new DecompressionEngine(Options(), [qpl], ownsBackends: true);
        var payloads = Payloads.Mixed(30, seed: 77);
        using var reference = new SoftwareDecompressor();

        await Task.WhenAll(Enumerable.Range(0, 6).Select(p => Task.Run(async () =>
        {
            var random = new Random(p);
            for (int i = 0; i < 60; i++)
            {
                var payload = payloads[random.Next(payloads.Count)];
                int skip = random.Next(2) == 0 ? 0 : random.Next(payload.Original.Length);
                var parameters = payload.Parameters(skip);
                var destination = new byte[parameters.OutputLength];
                var result = await engine.DecompressAsync(new(payload.Compressed, destination, parameters), Ct);
                Assert.Equal(DecodeStatus.Done, result.Status);
                Assert.True(payload.Expected(parameters).SequenceEqual(destination), $"wrong bytes for {payload} via {result.Backend}");
                Assert.Equal(payload.WindowBits <= 12 && payload.Algorithm == CompressionAlgorithm.Deflate, result.Backend == "qpl");
            }
        }, Ct))).WaitAsync(TimeSpan.FromMinutes(3), Ct);

        var stats = engine.GetStatistics();
        Assert.True(stats["qpl"]!.Served > 0);
        Assert.Equal(0, stats["qpl"]!.FallenBack);
        Assert.Equal(0, stats.BuffersOutstanding);
        Assert.Equal(stats["qpl"]!.Served, qpl.SoftwareRuns);
    }

    [Fact]
    public async Task BackendsListingShowsThePathInUse()
    {
        var qpl = AcceleratorTestBackends.QplSoftwarePath();
        await using var engine = new DecompressionEngine(Options(), [qpl], ownsBackends: true);

        var line = Assert.Single(engine.DescribeBackends(), d => d.Name == "qpl");

        Assert.True(line.IsAvailable);
        Assert.Equal("software", line.PathInUse);
        Assert.Contains("path: software", line.ToString());
        Assert.Contains("windowbits <= 12", line.ToString());
        Assert.Contains("QPL", line.Detail);
    }

    [Fact]
    public async Task OneDriverKeepsSeveralQplJobsInFlight()
    {
        var qpl = AcceleratorTestBackends.QplSoftwarePath(poolSize: 4);
        await using var engine = new DecompressionEngine(Options(), [qpl], ownsBackends: true);
        var lane = engine.Lane("qpl")!;
        Assert.Equal((1, 4), (lane.DriverCount, lane.JobsPerDriver));
        var payloads = Enumerable.Range(0, 8).Select(i => Payloads.Deflate(Payloads.Data(3000 + 1500 * i, 40 + i), 12)).ToArray();

        for (int round = 0; round < 5; round++)
        {
            var destinations = payloads.Select(p => new byte[p.Original.Length]).ToArray();
            var results = await Task.WhenAll(Enumerable.Range(0, 64).Select(i =>
            {
                var p = payloads[i % payloads.Length];
                var destination = i < payloads.Length ? destinations[i] : new byte[p.Original.Length];
                return engine.DecompressAsync(new(p.Compressed, destination, p.Parameters()), Ct).AsTask();
            }));
            Assert.All(results, r => Assert.Equal(("qpl", DecodeStatus.Done), (r.Backend, r.Status)));
            for (int i = 0; i < payloads.Length; i++) Assert.Equal(payloads[i].Original, destinations[i]);
        }

        // the software path answers inside submit, yet the driver submits up to its pool before collecting: the same
        // code IAA runs with jobs really in flight
        Assert.True(lane.MostJobsInFlight > 1, $"at most {lane.MostJobsInFlight} job(s) in flight");
        Assert.True(lane.MostJobsInFlight <= 4);
        Assert.Equal(4, qpl.FreeJobs);
        Assert.Equal(0, engine.GetStatistics().BuffersOutstanding);
    }

    [Fact]
    public async Task AcceleratorsAreCreatedOnlyWhenARequestTheyCouldTakeArrives()
    {
        await using var engine = DecompressionEngine.Create(EngineFactory.Options("qpl,qat"));
        Assert.False(engine.Lane("qpl")!.IsStarted);
        Assert.False(engine.Lane("qat")!.IsStarted);

        var lz4 = Payloads.Lz4(Payloads.Data(5000, 1));
        Assert.Equal(DecodeStatus.Done, (await engine.DecompressAsync(new(lz4.Compressed, new byte[5000], lz4.Parameters()), Ct)).Status);
        Assert.False(engine.Lane("qpl")!.IsStarted); // neither takes LZ4
        Assert.False(engine.Lane("qat")!.IsStarted);

        var deflate = Payloads.Deflate(Payloads.Data(5000, 2), 15);
        Assert.Equal(DecodeStatus.Done, (await engine.DecompressAsync(new(deflate.Compressed, new byte[5000], deflate.Parameters()), Ct)).Status);
        Assert.True(engine.Lane("qpl")!.IsStarted);
        Assert.True(engine.Lane("qat")!.IsStarted);
    }
}
