using Erofs.Accel.Decompression.Backends.Qpl;
using Erofs.Accel.Decompression.Engine;
using Erofs.Accel.Decompression.Tests.Engine.Support;
using Erofs.Accel.Testing;

namespace Erofs.Accel.Decompression.Tests.Accelerators;

/// <summary>The QPL shim and backend on QPL's software path (no IAA needed), exactly as hardware would be driven.</summary>
public sealed class QplBackendTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(100)]
    [InlineData(4095)]
    [InlineData(4096)]
    [InlineData(65536)]
    [InlineData(1 << 20)]
    public void DecodesFourKiBWindowStreams(int length)
    {
        using var qpl = AcceleratorTestBackends.QplSoftwarePath();
        var payload = Payloads.Deflate(Payloads.Data(length, length), 12);
        var destination = new byte[length];
        long runs = qpl.SoftwareRuns;

        var status = qpl.Decode(payload.Compressed, destination, payload.Parameters(), out int written);

        Assert.Equal((DecodeStatus.Done, length), (status, written));
        Assert.Equal(payload.Original, destination);
        Assert.Equal(runs + 1, qpl.SoftwareRuns);
        Assert.Equal("software", qpl.LastPathUsed);
        Assert.Equal("software", qpl.PathInUse);
    }

    [Fact]
    public void TakesOnlyWhatIaaTakes()
    {
        using var qpl = AcceleratorTestBackends.QplSoftwarePath();
        var original = Payloads.Data(20000, 1);
        var w12 = Payloads.Deflate(original, 12);
        var w15 = Payloads.Deflate(original, 15);
        var lz4 = Payloads.Lz4(original);

        Assert.True(qpl.Supports(w12.Parameters(), w12.Compressed.Length));
        Assert.False(qpl.Supports(w15.Parameters(), w15.Compressed.Length));
        Assert.False(qpl.Supports(lz4.Parameters(), lz4.Compressed.Length));
        Assert.False(qpl.Supports(w12.Parameters(length: 1000, partial: true), w12.Compressed.Length));
        Assert.Equal(DecodeStatus.Unsupported, qpl.Decode(w15.Compressed, new byte[20000], w15.Parameters(), out _));
        Assert.Contains("windowbits <= 12", qpl.Capabilities);
        Assert.Equal(QplBackend.BackendName, qpl.Name);
    }

    [Fact]
    public void TruncatedStreamNeverYieldsWrongBytes()
    {
        using var qpl = AcceleratorTestBackends.QplSoftwarePath();
        var payload = Payloads.Deflate(Payloads.Data(50000, 2), 12);
        int len = payload.Compressed.Length;
        foreach (int cut in new[] { 1, len / 3, len / 2, len - 16, len - 3, len - 2, len - 1 })
        {
            var destination = new byte[50000];
            var status = qpl.Decode(payload.Compressed.AsSpan(0, cut), destination, payload.Parameters(), out int written);
            if (status == DecodeStatus.Done)
            {
                // QPL does not insist on the final end-of-block code (neither does the kernel's inflate loop): a cut
                // that loses only that code still yields every byte. Anything else must not be Done.
                Assert.True(cut >= len - 2, $"cut {cut} of {len} reported Done");
                Assert.Equal(payload.Original, destination);
            }
            else
            {
                Assert.Equal(0, written);
            }
        }
    }

    [Fact]
    public void WrongExpectedLengthsAreCaught()
    {
        using var qpl = AcceleratorTestBackends.QplSoftwarePath();
        var payload = Payloads.Deflate(Payloads.Data(30000, 3), 12);

        // The stream is longer than asked for (full decode): corrupt for EROFS.
        var shorter = payload.Parameters(length: 29999);
        Assert.Equal(DecodeStatus.CorruptData, qpl.Decode(payload.Compressed, new byte[30000], shorter, out _));

        // The stream ends early: QPL says OK, the shim sees the length.
        var longer = payload.Parameters() with { DecodedLength = 30100 };
        Assert.Equal(DecodeStatus.WrongLength, qpl.Decode(payload.Compressed, new byte[30100], longer, out int written));
        Assert.Equal(0, written);
    }

    [Fact]
    public void SkipAndPartialDecodes()
    {
        using var qpl = AcceleratorTestBackends.QplSoftwarePath(allowPartial: true);
        var payload = Payloads.Deflate(Payloads.Data(40000, 4), 12);

        var skip = payload.Parameters(skip: 12345);
        var tail = new byte[skip.OutputLength];
        Assert.Equal(DecodeStatus.Done, qpl.Decode(payload.Compressed, tail, skip, out int written));
        Assert.Equal(skip.OutputLength, written);
        Assert.Equal(payload.Expected(skip).ToArray(), tail);

        var prefix = payload.Parameters(skip: 100, length: 17000, partial: true);
        Assert.True(qpl.Supports(prefix, payload.Compressed.Length));
        var middle = new byte[prefix.OutputLength];
        Assert.Equal(DecodeStatus.Done, qpl.Decode(payload.Compressed, middle, prefix, out written));
        Assert.Equal(payload.Expected(prefix).ToArray(), middle);
    }

    [Fact]
    public void AgreesWithSoftwareOnDamagedAndRandomInput()
    {
        using var qpl = AcceleratorTestBackends.QplSoftwarePath();
        AcceleratorTestBackends.AssertAgreesWithSoftwareOnDamagedAndRandomInput(qpl, windowBits: 12, inputs: 600, seed: 1234);
    }

    [Fact]
    public void PoolServesConcurrentDecodes()
    {
        using var qpl = AcceleratorTestBackends.QplSoftwarePath(poolSize: 4);
        var payloads = Enumerable.Range(0, 16).Select(i => Payloads.Deflate(Payloads.Data(10000 + i * 997, 100 + i), 12)).ToArray();
        Parallel.For(0, 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, t =>
        {
            for (int round = 0; round < 25; round++)
            {
                var p = payloads[(t * 7 + round) % payloads.Length];
                var destination = new byte[p.Original.Length];
                Assert.Equal(DecodeStatus.Done, qpl.Decode(p.Compressed, destination, p.Parameters(), out _));
                Assert.Equal(p.Original, destination);
            }
        });
        Assert.Equal(4, qpl.FreeJobs);
    }

    [Fact]
    public void SubmitPollWaitThroughTheShim()
    {
        using var qpl = AcceleratorTestBackends.QplSoftwarePath(poolSize: 2);
        var payload = Payloads.Deflate(Payloads.Data(70000, 6), 12);
        var destination = new byte[payload.Original.Length];

        using (var operation = qpl.Submit(payload.Compressed, destination, payload.Parameters(), out var accepted, out bool busy))
        {
            Assert.NotNull(operation);
            Assert.False(busy);
            Assert.Equal(DecodeStatus.Done, accepted);
            Assert.Equal(1, qpl.FreeJobs); // the job stays taken until the operation is disposed
            var polled = operation.Poll();
            var final = polled ?? operation.Wait();
            Assert.Equal(DecodeStatus.Done, final);
            Assert.Equal(DecodeStatus.Done, operation.Wait());
            Assert.Equal(payload.Original.Length, operation.BytesWritten);
            Assert.Equal("software", operation.PathUsed);
        }
        Assert.Equal(2, qpl.FreeJobs);
        Assert.Equal(payload.Original, destination);

        var truncated = qpl.Submit(payload.Compressed.AsMemory(0, 100), destination, payload.Parameters(), out var refused, out _);
        Assert.Null(truncated);
        Assert.NotEqual(DecodeStatus.Done, refused);
        Assert.Equal(2, qpl.FreeJobs);
    }

    [Fact]
    public void HardwarePathNeverRunsOnTheCpuInDisguise()
    {
        using var qpl = new QplBackend(new QplBackendOptions { Path = AcceleratorPath.Hardware, NativeDirectories = [RepositoryPaths.NativeDirectory] });
        if (qpl.Availability.IsAvailable)
        {
            // A real IAA: decodes must say they ran on the device.
            var payload = Payloads.Deflate(Payloads.Data(30000, 7), 12);
            var destination = new byte[30000];
            Assert.Equal(DecodeStatus.Done, qpl.Decode(payload.Compressed, destination, payload.Parameters(), out _));
            Assert.Equal("hardware", qpl.LastPathUsed);
            Assert.Equal(payload.Original, destination);
            return;
        }
        if (qpl.ShimLocation is null) AcceleratorTests.ShimUnusable("QPL", qpl.Availability.Detail);
        // No IAA: the shim refuses the context instead of letting QPL fall back to its CPU path.
        Assert.Contains("hardware path initialisation failed", qpl.Availability.Detail);
        Assert.Null(qpl.PathInUse);
        Assert.False(qpl.Supports(new DecodeParameters { Algorithm = CompressionAlgorithm.Deflate, DecodedLength = 10, DeflateWindowBits = 12 }, 5));
        Assert.Equal(DecodeStatus.Unsupported, qpl.Decode([1, 2, 3], new byte[10],
            new DecodeParameters { Algorithm = CompressionAlgorithm.Deflate, DecodedLength = 10, DeflateWindowBits = 12 }, out _));
    }

    [Fact]
    public void EnvironmentSelectsThePath()
    {
        var options = new QplBackendOptions();
        Assert.Equal(AcceleratorPath.Hardware, options.Path);
        Assert.True(AcceleratorBackendOptions.TryParsePath("SW", out var path));
        Assert.Equal(AcceleratorPath.Software, path);
        Assert.False(AcceleratorBackendOptions.TryParsePath("gpu", out _));
        Assert.NotNull((options with { PoolSize = 0 }).Validate());
    }
}
