using Erofs.Accel.Decompression.Engine;
using Erofs.Accel.Decompression.Tests.Engine.Support;

namespace Erofs.Accel.Decompression.Tests.Engine;

public sealed class EngineRoutingTests
{
    private static readonly byte[] Original = Payloads.Data(20000, 42);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task SoftwarePolicyDecodesInlineWithoutQueueing()
    {
        using var faulty = new FaultyBackend("faulty", 1);
        await using var engine = EngineFactory.Create(EngineFactory.Options("software", "faulty"), faulty);
        var payload = Payloads.Deflate(Original, 12);
        var destination = new byte[Original.Length];

        var pending = engine.DecompressAsync(new(payload.Compressed, destination, payload.Parameters()), Ct);

        Assert.True(pending.IsCompletedSuccessfully);
        var result = await pending;
        Assert.Equal(DecodeStatus.Done, result.Status);
        Assert.Equal(FallbackReason.None, result.Fallback);
        Assert.NotEqual("faulty", result.Backend);
        Assert.Equal(Original, destination);
        Assert.Equal(0, faulty.Calls);
    }

    [Fact]
    public async Task AlgorithmNoAcceleratorTakesIsDecodedInline()
    {
        using var faulty = new FaultyBackend("faulty", 1); // lz4 + deflate only
        await using var engine = EngineFactory.Create(EngineFactory.Options("faulty", "faulty"), faulty);
        var payload = Payloads.Zstd(Original);
        var destination = new byte[Original.Length];

        var pending = engine.DecompressAsync(new(payload.Compressed, destination, payload.Parameters()), Ct);

        Assert.True(pending.IsCompletedSuccessfully);
        Assert.Equal(DecodeStatus.Done, (await pending).Status);
        Assert.Equal(Original, destination);
        Assert.Equal(0, faulty.Calls);
    }

    [Fact]
    public async Task AcceleratorTakesWhatItSupportsAndSoftwareTheRest()
    {
        // Like IAA: raw DEFLATE with windowbits <= 12 only, full decodes only.
        using var iaaLike = new FaultyBackend("faulty", 1) { MaxWindowBits = 12, TakesPartial = false };
        await using var engine = EngineFactory.Create(EngineFactory.Options("faulty", "faulty"), iaaLike);
        var w12 = Payloads.Deflate(Original, 12);
        var w15 = Payloads.Deflate(Original, 15);

        var destination = new byte[Original.Length];
        var result = await engine.DecompressAsync(new(w12.Compressed, destination, w12.Parameters()), Ct);
        Assert.Equal(("faulty", DecodeStatus.Done), (result.Backend, result.Status));
        Assert.Equal(Original, destination);
        Assert.Equal(1, iaaLike.Calls);

        Array.Clear(destination);
        var wide = engine.DecompressAsync(new(w15.Compressed, destination, w15.Parameters()), Ct);
        Assert.True(wide.IsCompletedSuccessfully); // routed to software without trying the accelerator
        Assert.Equal(FallbackReason.None, (await wide).Fallback);
        Assert.Equal(Original, destination);

        var partial = w12.Parameters(skip: 100, length: 5000, partial: true);
        var small = new byte[partial.OutputLength];
        var viaSoftware = engine.DecompressAsync(new(w12.Compressed, small, partial), Ct);
        Assert.True(viaSoftware.IsCompletedSuccessfully);
        Assert.Equal(DecodeStatus.Done, (await viaSoftware).Status);
        Assert.Equal(w12.Expected(partial).ToArray(), small);
        Assert.Equal(1, iaaLike.Calls);

        var stats = engine.GetStatistics();
        Assert.Equal(1, stats["faulty"]!.Requests);
        Assert.Equal(1, stats["faulty"]!.Served);
        Assert.Equal(2, stats[DecompressionEngine.SoftwareName]!.Served);
    }

    [Fact]
    public async Task SkipAndPartialWorkThroughTheAccelerator()
    {
        using var faulty = new FaultyBackend("faulty", 1);
        await using var engine = EngineFactory.Create(EngineFactory.Options("faulty", "faulty"), faulty);
        var payload = Payloads.Lz4(Original);
        var parameters = payload.Parameters(skip: 1234, length: 15000, partial: true);
        var destination = new byte[parameters.OutputLength];

        var result = await engine.DecompressAsync(new(payload.Compressed, destination, parameters), Ct);

        Assert.Equal(("faulty", DecodeStatus.Done, parameters.OutputLength), (result.Backend, result.Status, result.BytesWritten));
        Assert.Equal(payload.Expected(parameters).ToArray(), destination);
    }

    [Fact]
    public async Task ListedButUnavailableAcceleratorIsReportedAsFallback()
    {
        var absent = new UnavailableBackend("absent", CompressionAlgorithm.Deflate);
        await using var engine = EngineFactory.Create(EngineFactory.Options("absent", "absent"), absent);
        var payload = Payloads.Deflate(Original, 12);
        var destination = new byte[Original.Length];

        var pending = engine.DecompressAsync(new(payload.Compressed, destination, payload.Parameters()), Ct);

        Assert.True(pending.IsCompletedSuccessfully);
        var result = await pending;
        Assert.Equal((DecodeStatus.Done, FallbackReason.BackendUnavailable), (result.Status, result.Fallback));
        Assert.Equal(Original, destination);
        Assert.Equal(0, absent.Calls);
        var stats = engine.GetStatistics()["absent"]!;
        Assert.Equal((1, 0, 1), (stats.Requests, stats.Served, stats.FallenBack));
        Assert.Equal(1, stats.FallbacksByReason[FallbackReason.BackendUnavailable]);
    }

    [Fact]
    public async Task AutoPolicySkipsUnavailableAcceleratorsSilently()
    {
        var absent = new UnavailableBackend("absent", CompressionAlgorithm.Deflate);
        await using var engine = EngineFactory.Create(EngineFactory.Options("auto", "absent"), absent);
        var payload = Payloads.Deflate(Original, 12);
        var destination = new byte[Original.Length];

        var result = await engine.DecompressAsync(new(payload.Compressed, destination, payload.Parameters()), Ct);

        Assert.Equal((DecodeStatus.Done, FallbackReason.None), (result.Status, result.Fallback));
        Assert.Equal(0, engine.GetStatistics()["absent"]!.Requests);
    }

    [Fact]
    public async Task DescribesEveryBackend()
    {
        using var faulty = new FaultyBackend("faulty", 1);
        var absent = new UnavailableBackend("absent", CompressionAlgorithm.Deflate);
        await using var engine = EngineFactory.Create(EngineFactory.Options("faulty", "faulty", "absent"), faulty, absent);

        var descriptions = engine.DescribeBackends();

        var f = Assert.Single(descriptions, d => d.Name == "faulty");
        Assert.True(f.IsAvailable);
        Assert.True(f.InPolicy);
        Assert.Equal(BackendRole.Accelerator, f.Role);
        var a = Assert.Single(descriptions, d => d.Name == "absent");
        Assert.False(a.IsAvailable);
        Assert.False(a.InPolicy);
        Assert.Contains("unavailable: no such device", a.ToString());
        Assert.Contains(descriptions, d => d.Role == BackendRole.Software && d.Algorithms.Contains(CompressionAlgorithm.Lz4));
        Assert.All(descriptions, d => Assert.False(string.IsNullOrWhiteSpace(d.ToString())));
    }

    [Fact]
    public async Task InvalidParametersThrowAndCancelledTokensCancel()
    {
        await using var engine = EngineFactory.Create(EngineFactory.Options("software"));
        var payload = Payloads.Lz4(Original);
        Assert.Throws<ArgumentException>(() =>
        {
            _ = engine.DecompressAsync(new(payload.Compressed, new byte[10], payload.Parameters()), Ct);
        });
        var result = await engine.DecompressAsync(new(payload.Compressed, new byte[Original.Length], payload.Parameters()),
            new CancellationToken(canceled: true));
        Assert.Equal(DecodeStatus.Cancelled, result.Status);
    }

    [Fact]
    public async Task CorruptDataIsAStatusNotAnException()
    {
        await using var engine = EngineFactory.Create(EngineFactory.Options("software"));
        var garbage = new byte[300];
        new Random(5).NextBytes(garbage);
        var parameters = new DecodeParameters { Algorithm = CompressionAlgorithm.Lz4, DecodedLength = 4096 };
        var result = await engine.DecompressAsync(new(garbage, new byte[4096], parameters), Ct);
        Assert.Equal(DecodeStatus.CorruptData, result.Status);
        Assert.Equal(1, engine.GetStatistics().CorruptConfirmed);
    }

    [Fact]
    public async Task InlineSoftwarePathAddsNoAllocation()
    {
        await using var engine = EngineFactory.Create(EngineFactory.Options("software"));
        using var software = new SoftwareDecompressor();
        var payload = Payloads.Lz4(Original);
        var request = new DecompressionRequest(payload.Compressed, new byte[Original.Length], payload.Parameters());
        var parameters = request.Parameters;
        for (int i = 0; i < 200; i++)
        {
            _ = engine.DecompressAsync(request, Ct).Result;
            software.Decompress(payload.Compressed, request.Destination.Span, parameters);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++) software.Decompress(payload.Compressed, request.Destination.Span, parameters);
        long bySoftware = GC.GetAllocatedBytesForCurrentThread() - before;

        before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            var pending = engine.DecompressAsync(request, Ct);
            if (!pending.IsCompletedSuccessfully || pending.Result.Status != DecodeStatus.Done) Assert.Fail("not completed inline");
        }
        long byEngine = GC.GetAllocatedBytesForCurrentThread() - before;

        // The engine's own part (routing, counters, metrics, ValueTask) must not allocate; the decoder's is its own.
        Assert.True(byEngine - bySoftware < 1000, $"engine {byEngine} bytes vs decoder alone {bySoftware} bytes over 1000 decodes");
    }

    [Fact]
    public async Task DisposedEngineRefusesWork()
    {
        var engine = EngineFactory.Create(EngineFactory.Options("software"));
        await engine.DisposeAsync();
        await engine.DisposeAsync(); // idempotent
        var payload = Payloads.Lz4(Original);
        Assert.Throws<ObjectDisposedException>(() =>
        {
            _ = engine.DecompressAsync(new(payload.Compressed, new byte[Original.Length], payload.Parameters()), Ct);
        });
    }
}
