using Erofs.Accel.Decompression.Backends.Qat;
using Erofs.Accel.Decompression.Engine;
using Erofs.Accel.Decompression.Tests.Engine.Support;

namespace Erofs.Accel.Decompression.Tests.Accelerators;

/// <summary>The QAT backend: without the shim or a device it must be "unavailable: reason", never an exception.</summary>
public sealed class QatBackendTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static QatBackend Create() => new(new QatBackendOptions { NativeDirectories = [RepositoryPaths.NativeDirectory] });

    [Fact]
    public void AbsenceIsReportedNotThrown()
    {
        using var qat = Create();
        if (qat.Availability.IsAvailable) return; // a machine with QAT: covered by DecodesOnQat
        Assert.False(string.IsNullOrWhiteSpace(qat.Availability.Detail));
        if (qat.ShimLocation is null)
            Assert.Contains("liberofs_accel_qat.so not found", qat.Availability.Detail);
        else
            Assert.Contains("failed", qat.Availability.Detail); // shim present, no device: probed once, reported
        Assert.Null(qat.PathInUse);
        var parameters = new DecodeParameters { Algorithm = CompressionAlgorithm.Deflate, DecodedLength = 100 };
        Assert.False(qat.Supports(parameters, 10));
        Assert.Equal(DecodeStatus.Unsupported, qat.Decode(new byte[10], new byte[100], parameters, out _));
    }

    [Fact]
    public void SecondBackendDoesNotProbeAgain()
    {
        using var first = Create();
        using var second = Create();
        Assert.Equal(first.Availability, second.Availability);
    }

    [Fact]
    public void SoftwarePathIsRefusedWithAReason()
    {
        using var qat = new QatBackend(new QatBackendOptions { Path = AcceleratorPath.Software });
        Assert.False(qat.Availability.IsAvailable);
        Assert.Contains("only the hardware path", qat.Availability.Detail);
    }

    [Fact]
    public async Task EngineFallsBackWhenQatIsListedButAbsent()
    {
        var qat = Create();
        if (qat.Availability.IsAvailable)
        {
            qat.Dispose();
            Assert.Skip("QAT present on this machine: the absent-device path cannot be exercised");
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
        using var qat = Create();
        if (!qat.Availability.IsAvailable)
            Assert.Skip($"no usable QAT here ({qat.Availability.Detail}); needs QATzip >= 1.3, qatlib and a QAT device");
        var payload = Payloads.Deflate(Payloads.Data(50000, 2), 15);
        var destination = new byte[50000];
        Assert.Equal(DecodeStatus.Done, qat.Decode(payload.Compressed, destination, payload.Parameters(), out _));
        Assert.Equal(payload.Original, destination);
        Assert.Equal("hardware", qat.LastPathUsed);
    }
}
