using Erofs.Accel.Decompression.OpenCl;

namespace Erofs.Accel.Decompression.Tests.OpenCl;

/// <summary>Discovery, availability reasons, request vetting, health, deadline, program cache and calibration.</summary>
[Collection(OpenClCollection.Name)]
public sealed class OpenClBackendTests(OpenClFixture fixture)
{
    [Fact]
    public void Discovery_DescribesDevices()
    {
        var devices = OpenClDiscovery.Discover(out var problem);
        if (devices.Count == 0) Assert.Skip("no OpenCL device: " + problem);
        foreach (var d in devices)
        {
            Assert.False(string.IsNullOrWhiteSpace(d.DeviceName));
            Assert.False(string.IsNullOrWhiteSpace(d.PlatformName));
            Assert.True(d.ComputeUnits > 0);
            Assert.True(d.GlobalMemoryBytes > 0);
            Assert.True(d.MaxAllocationBytes > 0);
            Assert.True(d.MaxWorkGroupSize > 0);
            Assert.Contains(d.DeviceName, d.ToString());
        }
    }

    [Fact]
    public void Available_Backend_ReportsDeviceAndLayout()
    {
        var backend = fixture.Backend;
        Assert.Equal("opencl", backend.Name);
        Assert.Equal(BackendKind.OpenCl, backend.Kind);
        Assert.NotNull(backend.Device);
        Assert.Contains(backend.Device!.DeviceName, backend.Availability.Detail);
        Assert.Equal([CompressionAlgorithm.Lz4, CompressionAlgorithm.Deflate], backend.Algorithms.ToArray());
        var expectedLayout = backend.Device.Kind == OpenClDeviceKind.Cpu ? OpenClKernelLayout.WorkItemPerItem : OpenClKernelLayout.WorkGroupPerItem;
        Assert.Equal(expectedLayout, backend.Layout);
        Assert.True(backend.IsHealthy);
        Assert.InRange(backend.MinimumBatchSize, 2, int.MaxValue);
    }

    [Fact]
    public void Supports_OnlyLz4AndDeflateWithinLimits()
    {
        var backend = fixture.Backend;
        var lz4 = new DecodeParameters { Algorithm = CompressionAlgorithm.Lz4, DecodedLength = 65536 };
        Assert.True(backend.Supports(lz4, 40000));
        Assert.True(backend.Supports(lz4 with { Algorithm = CompressionAlgorithm.Deflate, DeflateWindowBits = 12 }, 40000));
        Assert.False(backend.Supports(lz4 with { Algorithm = CompressionAlgorithm.Zstd }, 40000));
        Assert.False(backend.Supports(lz4 with { Algorithm = CompressionAlgorithm.MicroLzma }, 40000));
        Assert.False(backend.Supports(lz4, 0));
        Assert.False(backend.Supports(lz4, backend.MaxItemInputBytes + 1));
        Assert.False(backend.Supports(lz4 with { DecodedLength = backend.MaxItemOutputBytes + 1 }, 100));
        Assert.False(backend.Supports(lz4 with { DecodedSkip = 65536 }, 100));
    }

    [Fact]
    public async Task Batch_VetsEveryRequest_BeforeTheDevice()
    {
        var backend = fixture.Backend;
        var good = OpenClDifferentialTests.Samples(GeneratedCodec.Lz4Fast, 1500)[0];
        var requests = new[]
        {
            new DecompressionRequest(good.Compressed, new byte[good.Expected.Length], good.Parameters),
            new DecompressionRequest(good.Compressed, new byte[good.Expected.Length], good.Parameters with { Algorithm = CompressionAlgorithm.Zstd }),
            new DecompressionRequest(good.Compressed, new byte[10], good.Parameters),                        // destination too small
            new DecompressionRequest(ReadOnlyMemory<byte>.Empty, new byte[good.Expected.Length], good.Parameters),
            new DecompressionRequest(good.Compressed, new byte[good.Expected.Length], good.Parameters),
        };
        var results = new DecompressionResult[requests.Length];
        await backend.DecodeBatchAsync(requests, results, TestContext.Current.CancellationToken);
        Assert.Equal(DecodeStatus.Done, results[0].Status);
        Assert.Equal(DecodeStatus.Unsupported, results[1].Status);
        Assert.Equal(DecodeStatus.Unsupported, results[2].Status);
        Assert.Equal(DecodeStatus.Unsupported, results[3].Status);
        Assert.Equal(DecodeStatus.Done, results[4].Status);
        Assert.True(requests[4].Destination.Span.SequenceEqual(good.Expected));
        await Assert.ThrowsAsync<ArgumentException>(async () => await backend.DecodeBatchAsync(requests, new DecompressionResult[1], TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task CancelledBeforeStart_ReportsCancelled()
    {
        var backend = fixture.Backend;
        var s = OpenClDifferentialTests.Samples(GeneratedCodec.Lz4Fast, 1500)[1];
        var requests = Enumerable.Range(0, 4).Select(_ => new DecompressionRequest(s.Compressed, new byte[s.Expected.Length], s.Parameters)).ToArray();
        var results = new DecompressionResult[requests.Length];
        await backend.DecodeBatchAsync(requests, results, new CancellationToken(canceled: true));
        Assert.All(results, r => Assert.Equal(DecodeStatus.Cancelled, r.Status));
    }

    [Fact]
    public void KernelBuildFailure_MakesTheBackendUnavailable_WithTheReason()
    {
        _ = fixture.Backend;   // skips where there is no device at all
        var options = OpenClFixture.Options() with { ExtraBuildOptions = "-DFORCE_BUILD_ERROR", UseProgramCache = false };
        Assert.False(OpenClBackend.TryCreate(options, out var backend, out var reason));
        Assert.Null(backend);
        Assert.Contains("kernel build failed", reason);
        Assert.Contains("FORCE_BUILD_ERROR", reason);
    }

    [Fact]
    public void NoMatchingDevice_IsUnavailable_WithTheReason()
    {
        using var backend = OpenClBackend.Create(OpenClFixture.Options() with { DeviceFilter = "no-such-device-xyz" });
        Assert.False(backend.Availability.IsAvailable);
        // with devices present the reason names the filter; without OpenCL at all it says what is missing
        var devices = OpenClDiscovery.Discover(out _);
        if (devices.Count > 0) Assert.Contains("no-such-device-xyz", backend.Availability.Detail);
        else Assert.False(string.IsNullOrWhiteSpace(backend.Availability.Detail));
        Assert.Equal(int.MaxValue, backend.MinimumBatchSize);
        Assert.False(backend.Supports(new DecodeParameters { Algorithm = CompressionAlgorithm.Lz4, DecodedLength = 10 }, 10));
        Assert.Equal(DecodeStatus.BackendFailure, backend.Decode(new byte[4], new byte[10],
            new DecodeParameters { Algorithm = CompressionAlgorithm.Lz4, DecodedLength = 10 }, out _));
    }

    [Fact]
    public void InvalidOptions_AreReported()
    {
        using var backend = OpenClBackend.Create(new OpenClBackendOptions { BatchesInFlight = 0 });
        Assert.False(backend.Availability.IsAvailable);
        Assert.Contains("BatchesInFlight", backend.Availability.Detail);
    }

    [Fact]
    public void ProgramCache_SecondStart_LoadsTheBinary()
    {
        _ = fixture.Backend;
        var dir = Path.Combine(Path.GetTempPath(), "erofs-accel-clcache-" + Guid.NewGuid().ToString("N"));
        try
        {
            var options = OpenClFixture.Options() with { ProgramCacheDirectory = dir, MaxItemsPerBatch = 64, BatchesInFlight = 1 };
            using (var first = OpenClBackend.Create(options))
            {
                Assert.True(first.Availability.IsAvailable, first.Availability.Detail);
                Assert.Equal("compiled", first.ProgramOrigin);
            }
            Assert.Single(Directory.GetFiles(dir, "*.bin"));
            using (var second = OpenClBackend.Create(options))
            {
                Assert.True(second.Availability.IsAvailable, second.Availability.Detail);
                Assert.Equal("binary cache", second.ProgramOrigin);
            }
            // a damaged entry is dropped and the program compiled again
            File.WriteAllBytes(Directory.GetFiles(dir, "*.bin")[0], [1, 2, 3]);
            using var third = OpenClBackend.Create(options);
            Assert.True(third.Availability.IsAvailable, third.Availability.Detail);
            Assert.Equal("compiled", third.ProgramOrigin);
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Unhealthy_Backend_StopsTakingWork()
    {
        _ = fixture.Backend;
        using var backend = OpenClBackend.Create(OpenClFixture.Options() with { MaxItemsPerBatch = 64, BatchesInFlight = 1 });
        Assert.True(backend.Availability.IsAvailable, backend.Availability.Detail);
        backend.MarkUnhealthy("test says so");
        Assert.False(backend.Availability.IsAvailable);
        Assert.Contains("test says so", backend.Availability.Detail);
        Assert.Equal(int.MaxValue, backend.MinimumBatchSize);
        var s = OpenClDifferentialTests.Samples(GeneratedCodec.Lz4Fast, 1500)[0];
        var results = new DecompressionResult[1];
        await backend.DecodeBatchAsync(new[] { new DecompressionRequest(s.Compressed, new byte[s.Expected.Length], s.Parameters) }, results, TestContext.Current.CancellationToken);
        Assert.Equal(DecodeStatus.BackendFailure, results[0].Status);
        Assert.Equal(FallbackReason.BackendUnhealthy, results[0].Fallback);
    }

    [Fact]
    public async Task MissedDeadline_TimesOutTheBatch_AndMarksTheDeviceUnhealthy()
    {
        _ = fixture.Backend;
        var backend = OpenClBackend.Create(OpenClFixture.Options() with { BatchesInFlight = 2 });
        Assert.True(backend.Availability.IsAvailable, backend.Availability.Detail);
        backend.Runner!.Deadline = TimeSpan.FromTicks(1);
        var samples = OpenClDifferentialTests.Samples(GeneratedCodec.DeflateWindow32K, 800);
        var batch = GuardedBatch.Of(samples);
        await batch.RunAsync(backend);
        Assert.Contains(batch.Results, r => r.Status == DecodeStatus.TimedOut && r.Fallback == FallbackReason.TimedOut);
        Assert.All(batch.Results, r => Assert.True(r.Status is DecodeStatus.TimedOut or DecodeStatus.Done or DecodeStatus.BackendFailure, r.Status.ToString()));
        Assert.False(backend.Availability.IsAvailable);
        Assert.Contains("deadline", backend.Availability.Detail);
        // timed-out destinations are never written late: give the device time to finish, then look again
        await Task.Delay(500, TestContext.Current.CancellationToken);
        for (int i = 0; i < samples.Count; i++)
            if (batch.Results[i].Status == DecodeStatus.TimedOut)
                Assert.False(batch.Destination(i).ContainsAnyExcept(GuardedBatch.Fill), $"item {i} written after its deadline");
        backend.Dispose();
    }

    [Fact]
    public void Calibration_MeasuresBothAlgorithms_AndDrivesTheDecision()
    {
        var backend = fixture.Backend;
        backend.Calibrate(16384);
        int threads = Environment.ProcessorCount;
        foreach (var algorithm in new[] { CompressionAlgorithm.Lz4, CompressionAlgorithm.Deflate })
        {
            var c = backend.Calibrations[algorithm];
            Assert.False(c.FromCache);
            Assert.Equal(16384, c.ItemBytes);
            Assert.True(c.FixedCostMicroseconds > 0);
            Assert.True(c.OpenClNanosecondsPerByte > 0);
            Assert.True(c.SoftwareNanosecondsPerByte > 0);
            Assert.Equal(threads, c.SoftwareThreads);
            int n = c.BreakEvenBatchSize(threads);
            Assert.Equal(n, backend.MinimumBatchSizeFor(algorithm));
            // the backend answers the engine with the same model
            foreach (int t in new[] { 1, threads })
                foreach (int items in new[] { 2, 64, 4096 })
                    Assert.Equal(c.IsWorthSending(items, items * 16384L, t), backend.IsWorthSending(Submission(algorithm, items, 16384), t));
            Assert.False(backend.IsWorthSending(Submission(algorithm, 1, 16384), 1));
            Assert.Contains(c.ToString(), backend.Availability.Detail);
        }
        Assert.False(backend.IsWorthSending(Submission(CompressionAlgorithm.Zstd, 4096, 16384), 1));
        // a mixed submission pays one fixed cost: never worth less than its parts would be together
        var mixed = Submission(CompressionAlgorithm.Lz4, 2048, 16384).Concat(Submission(CompressionAlgorithm.Deflate, 2048, 16384)).ToArray();
        var lz4 = backend.Calibrations[CompressionAlgorithm.Lz4];
        var deflate = backend.Calibrations[CompressionAlgorithm.Deflate];
        double device = Math.Max(lz4.FixedCostMicroseconds, deflate.FixedCostMicroseconds) * 1000
                        + 2048 * 16384 * (lz4.OpenClNanosecondsPerByte + deflate.OpenClNanosecondsPerByte);
        double software = 2048 * 16384 * (lz4.SoftwareNanosecondsPerByte + deflate.SoftwareNanosecondsPerByte) / threads;
        Assert.Equal(device < software, backend.IsWorthSending(mixed, threads));
        Assert.Equal(backend.Calibrations.Values.Min(c => c.BreakEvenBatchSize(threads)), backend.MinimumBatchSize);
    }

    /// <summary>What the engine would ask about (only the parameters count: no buffers).</summary>
    private static DecompressionRequest[] Submission(CompressionAlgorithm algorithm, int items, int itemBytes) =>
        Enumerable.Repeat(new DecompressionRequest(ReadOnlyMemory<byte>.Empty, Memory<byte>.Empty,
            new DecodeParameters { Algorithm = algorithm, DecodedLength = itemBytes }), items).ToArray();

    [Fact]
    public void Calibration_IsCachedPerDeviceAndHost()
    {
        _ = fixture.Backend;
        var dir = Path.Combine(Path.GetTempPath(), "erofs-accel-calcache-" + Guid.NewGuid().ToString("N"));
        try
        {
            var options = OpenClFixture.Options() with
            {
                ProgramCacheDirectory = dir, Calibrate = true, TypicalItemBytes = 4096, MaxItemsPerBatch = 64, BatchesInFlight = 1,
            };
            using (var first = OpenClBackend.Create(options))
            {
                Assert.True(first.Availability.IsAvailable, first.Availability.Detail);
                Assert.All(first.Calibrations.Values, c => Assert.False(c.FromCache));
                Assert.True(first.CalibrationTime > TimeSpan.Zero);
            }
            Assert.Single(Directory.GetFiles(dir, "calibration-*.txt"));
            using (var second = OpenClBackend.Create(options))
            {
                Assert.Equal(2, second.Calibrations.Count);
                Assert.All(second.Calibrations.Values, c => Assert.True(c.FromCache));
                Assert.Equal(TimeSpan.Zero, second.CalibrationTime);
                Assert.Contains("(cached)", second.Availability.Detail);
            }
            // other settings are another key; a damaged entry is measured again
            File.WriteAllText(Directory.GetFiles(dir, "calibration-*.txt")[0], "garbage");
            using var third = OpenClBackend.Create(options);
            Assert.All(third.Calibrations.Values, c => Assert.False(c.FromCache));
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [InlineData(100, 0.1, 1.0, 1, 7)]                 // 100 us fixed, 10 GB/s device against one 1 GB/s thread
    [InlineData(100, 0.1, 1.0, 16, int.MaxValue)]     // the same against 16 threads: software always wins
    [InlineData(10, 0.01, 1.0, 4, 2)]                 // tiny fixed cost: never below 2
    [InlineData(1000, 0.02, 1.0, 16, 1437)]           // 1 ms fixed, 50 GB/s device, 16 GB/s of software
    public void BreakEven_FollowsTheCostModel(double fixedUs, double device, double software, int threads, int expected)
    {
        var c = new OpenClCalibration(CompressionAlgorithm.Lz4, 16384, fixedUs, device, software, threads);
        int n = c.BreakEvenBatchSize(threads);
        Assert.Equal(expected, n);
        if (n == int.MaxValue)
        {
            Assert.False(c.IsWorthSending(1 << 20, (1L << 20) * 16384, threads));
            return;
        }
        Assert.True(c.IsWorthSending(n, (long)n * 16384, threads));
        if (n > 2) Assert.False(c.IsWorthSending(n - 1, (long)(n - 1) * 16384, threads));
    }
}
