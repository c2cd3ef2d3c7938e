using Erofs.Accel.Decompression.Backends.Qat;
using Erofs.Accel.Decompression.Engine;
using Erofs.Accel.Decompression.Tests.Engine.Support;
using Erofs.Accel.Testing;

namespace Erofs.Accel.Decompression.Tests.Accelerators;

/// <summary>
/// The QAT backend through the real QATzip shim: the hardware path without a device (unavailable with the reason,
/// never an exception, QATzip asked once) and the test mode, where QATzip's software failover decodes exactly as the
/// engine would drive a device.
/// </summary>
public sealed class QatBackendTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static QatBackend Hardware() => new(new QatBackendOptions { NativeDirectories = [RepositoryPaths.NativeDirectory] });

    [Fact]
    public void AbsenceIsReportedNotThrown()
    {
        using var qat = Hardware();
        if (qat.Availability.IsAvailable) AcceleratorTests.NeedsDevice("QAT-less", "this machine has a working QAT, the absent-device path cannot be exercised");
        if (qat.ShimLocation is null) AcceleratorTests.ShimUnusable("QAT", qat.Availability.Detail);
        // shim present, no device: probed once, reported
        Assert.Contains("device probe failed: no hardware", qat.Availability.Detail);
        Assert.Contains("QZ_NOSW_NO_HW", qat.Availability.Detail);
        Assert.Null(qat.PathInUse);
        var parameters = new DecodeParameters { Algorithm = CompressionAlgorithm.Deflate, DecodedLength = 100 };
        Assert.False(qat.Supports(parameters, 10));
        Assert.Equal(DecodeStatus.Unsupported, qat.Decode(new byte[10], new byte[100], parameters, out _));
    }

    [Fact]
    public void SecondBackendDoesNotProbeAgain()
    {
        using var first = Hardware();
        using var second = Hardware();
        Assert.Equal(first.Availability, second.Availability);
    }

    [Fact]
    public void TheTestModeIsNeverTheDefault()
    {
        Assert.Equal(AcceleratorPath.Hardware, new QatBackendOptions().Path);
        var saved = Environment.GetEnvironmentVariable(QatBackendOptions.PathVariable);
        try
        {
            Environment.SetEnvironmentVariable(QatBackendOptions.PathVariable, null);
            Assert.Equal(AcceleratorPath.Hardware, QatBackendOptions.FromEnvironment().Path);
            Environment.SetEnvironmentVariable(QatBackendOptions.PathVariable, "software");
            Assert.Equal(AcceleratorPath.Software, QatBackendOptions.FromEnvironment().Path);
        }
        finally
        {
            Environment.SetEnvironmentVariable(QatBackendOptions.PathVariable, saved);
        }
    }

    [Theory]
    [InlineData(1, 15)]
    [InlineData(4096, 12)]
    [InlineData(4097, 15)]
    [InlineData(65536, 15)]
    [InlineData(1 << 20, 15)]
    public void TestModeDecodesAnyWindow(int length, int windowBits)
    {
        using var qat = AcceleratorTestBackends.QatSoftwareFailover();
        var payload = Payloads.Deflate(Payloads.Data(length, length), windowBits);
        var destination = new byte[length];
        long runs = qat.SoftwareRuns;

        var status = qat.Decode(payload.Compressed, destination, payload.Parameters(), out int written);

        Assert.Equal((DecodeStatus.Done, length), (status, written));
        Assert.Equal(payload.Original, destination);
        Assert.Equal(runs + 1, qat.SoftwareRuns);
        Assert.Equal("software", qat.LastPathUsed);
        Assert.Equal(QatBackend.SoftwareFailoverPathName, qat.PathInUse);
        Assert.Contains("test mode", qat.Availability.Detail);
    }

    [Fact]
    public void TestModeCatchesWrongLengthsAndOverlongStreams()
    {
        using var qat = AcceleratorTestBackends.QatSoftwareFailover();
        var payload = Payloads.Deflate(Payloads.Data(30000, 3), 15);

        // The stream goes on past the wanted length (a full decode): corrupt for EROFS, through the spare byte ...
        var shorter = payload.Parameters(length: 29999);
        Assert.Equal(DecodeStatus.CorruptData, qat.Decode(payload.Compressed, new byte[30000], shorter, out _));
        // ... also when the destination has no room for it (the backend adds the byte itself).
        Assert.Equal(DecodeStatus.CorruptData, qat.Decode(payload.Compressed, new byte[29999], shorter, out _));

        // The stream ends early.
        var longer = payload.Parameters() with { DecodedLength = 30100 };
        Assert.Equal(DecodeStatus.WrongLength, qat.Decode(payload.Compressed, new byte[30100], longer, out int written));
        Assert.Equal(0, written);

        // A skip is decoded whole and cut.
        var skip = payload.Parameters(skip: 1234);
        var tail = new byte[skip.OutputLength];
        Assert.Equal(DecodeStatus.Done, qat.Decode(payload.Compressed, tail, skip, out written));
        Assert.Equal(payload.Expected(skip).ToArray(), tail);

        // Every failure above left its session clean: the next decode is right.
        var destination = new byte[30000];
        Assert.Equal(DecodeStatus.Done, qat.Decode(payload.Compressed, destination, payload.Parameters(), out _));
        Assert.Equal(payload.Original, destination);
        Assert.False(qat.Supports(payload.Parameters(length: 1000, partial: true), payload.Compressed.Length));
    }

    [Fact]
    public void TestModeAgreesWithSoftwareOnDamagedAndRandomInput()
    {
        using var qat = AcceleratorTestBackends.QatSoftwareFailover(poolSize: 2);
        AcceleratorTestBackends.AssertAgreesWithSoftwareOnDamagedAndRandomInput(qat, windowBits: 15, inputs: 400, seed: 4321);
    }

    [Fact]
    public void TestModeSessionsServeConcurrentDecodes()
    {
        using var qat = AcceleratorTestBackends.QatSoftwareFailover(poolSize: 3);
        var payloads = Enumerable.Range(0, 12).Select(i => Payloads.Deflate(Payloads.Data(5000 + i * 1237, 300 + i), 15)).ToArray();
        Parallel.For(0, 3, new ParallelOptions { MaxDegreeOfParallelism = 3 }, t =>
        {
            for (int round = 0; round < 20; round++)
            {
                var p = payloads[(t * 5 + round) % payloads.Length];
                var destination = new byte[p.Original.Length];
                Assert.Equal(DecodeStatus.Done, qat.Decode(p.Compressed, destination, p.Parameters(), out _));
                Assert.Equal(p.Original, destination);
            }
        });
        Assert.Equal(3, qat.FreeJobs);
    }

    [Fact]
    public async Task EngineDrivesTheTestModeLikeADevice()
    {
        var qat = AcceleratorTestBackends.QatSoftwareFailover(poolSize: 2);
        await using var engine = new DecompressionEngine(EngineFactory.Options("qat") with { AcceleratorTimeout = TimeSpan.FromSeconds(60) },
            [qat], ownsBackends: true);
        var payloads = Payloads.Mixed(24, seed: 91);
        await Task.WhenAll(Enumerable.Range(0, 4).Select(p => Task.Run(async () =>
        {
            var random = new Random(p);
            for (int i = 0; i < 40; i++)
            {
                var payload = payloads[random.Next(payloads.Count)];
                var parameters = payload.Parameters(random.Next(3) == 0 ? random.Next(payload.Original.Length) : 0);
                var destination = new byte[parameters.OutputLength];
                var result = await engine.DecompressAsync(new(payload.Compressed, destination, parameters), Ct);
                Assert.Equal(DecodeStatus.Done, result.Status);
                Assert.True(payload.Expected(parameters).SequenceEqual(destination), $"wrong bytes for {payload} via {result.Backend}");
                Assert.Equal(payload.Algorithm == CompressionAlgorithm.Deflate, result.Backend == "qat");
            }
        }, Ct))).WaitAsync(TimeSpan.FromMinutes(3), Ct);

        var stats = engine.GetStatistics();
        Assert.True(stats["qat"]!.Served > 0);
        Assert.Equal(0, stats["qat"]!.FallenBack);
        Assert.Equal(0, stats.BuffersOutstanding);
        Assert.Equal(stats["qat"]!.Served, qat.SoftwareRuns);
        var line = Assert.Single(engine.DescribeBackends(), d => d.Name == "qat");
        Assert.Contains("path: software (QATzip software failover, test mode)", line.ToString());
    }

    [Fact]
    public async Task EngineFallsBackWhenQatIsListedButAbsent()
    {
        var qat = Hardware();
        if (qat.Availability.IsAvailable)
        {
            qat.Dispose();
            AcceleratorTests.NeedsDevice("QAT-less", "QAT present on this machine: the absent-device path cannot be exercised");
        }
        await using var engine = new DecompressionEngine(EngineFactory.Options("qat"), [qat], ownsBackends: true);
        var payload = Payloads.Deflate(Payloads.Data(9000, 1), 15);
        var destination = new byte[9000];

        var result = await engine.DecompressAsync(new(payload.Compressed, destination, payload.Parameters()), Ct);

        Assert.Equal((DecodeStatus.Done, FallbackReason.BackendUnavailable), (result.Status, result.Fallback));
        Assert.Equal(payload.Original, destination);
        Assert.Contains(engine.DescribeBackends(), d => d.Name == "qat" && !d.IsAvailable);
    }

    [Fact]
    public void DecodesOnQat()
    {
        using var qat = Hardware();
        if (!qat.Availability.IsAvailable) AcceleratorTests.NeedsDevice("QAT", qat.Availability.Detail);
        var payload = Payloads.Deflate(Payloads.Data(50000, 2), 15);
        var destination = new byte[50000];
        Assert.Equal(DecodeStatus.Done, qat.Decode(payload.Compressed, destination, payload.Parameters(), out _));
        Assert.Equal(payload.Original, destination);
        Assert.Equal("hardware", qat.LastPathUsed);
    }
}
