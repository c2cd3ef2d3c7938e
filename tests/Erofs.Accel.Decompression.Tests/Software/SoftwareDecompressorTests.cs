using Erofs.Accel.Decompression.Backends.Deflate;
using Erofs.Accel.Decompression.Backends.Lz4;
using Erofs.Accel.Decompression.Backends.Lzma;
using Erofs.Accel.Decompression.Backends.Zstd;
using Erofs.Accel.Decompression.Tests.TestSupport;
using Erofs.Accel.Decompression.Tests.TestSupport.Encoders;

namespace Erofs.Accel.Decompression.Tests.Software;

/// <summary>Backend choice, results and error handling of <see cref="SoftwareDecompressor"/>.</summary>
public sealed class SoftwareDecompressorTests
{
    private static Sample SampleOf(string encoder, DataKind kind = DataKind.Text, int size = 65537) =>
        SampleCatalog.For(encoder).Single(s => s.Kind == kind && s.InputLength == size);

    [Fact]
    public void CreateAllListsEveryBackendInPreferenceOrder()
    {
        var names = SoftwareBackends.CreateAll().Select(b => b.Name).ToArray();
        Assert.Equal(
            [
                Lz4NativeBackend.BackendName, Lz4K4osBackend.BackendName, LibdeflateBackend.BackendName, BclDeflateBackend.BackendName,
                LzmaNativeBackend.BackendName, LzmaManagedBackend.BackendName, ZstdNativeBackend.BackendName, ZstdManagedBackend.BackendName,
            ],
            names);
        var lines = SoftwareBackends.Describe();
        Assert.Equal(names.Length, lines.Count);
        for (int i = 0; i < names.Length; i++)
        {
            Assert.StartsWith(names[i], lines[i]);
            Assert.Matches("available|unavailable", lines[i]);
        }
    }

    [Theory]
    [InlineData("lz4-liblz4-default", false, Lz4NativeBackend.BackendName)]
    [InlineData("lz4-liblz4-default", true, Lz4NativeBackend.BackendName)]
    [InlineData("deflate-libdeflate-6", false, LibdeflateBackend.BackendName)]
    [InlineData("deflate-libdeflate-6", true, BclDeflateBackend.BackendName)]
    [InlineData("lzma-p6-d64k", false, LzmaNativeBackend.BackendName)]
    [InlineData("zstd-l3-w20", true, ZstdNativeBackend.BackendName)]
    public void PicksThePreferredBackendThatSupportsTheRequest(string encoder, bool partial, string expectedBackend)
    {
        using var decompressor = new SoftwareDecompressor();
        if (decompressor.Backends.Single(b => b.Name == expectedBackend).Availability is { IsAvailable: false } a)
            Assert.Skip($"{expectedBackend} {a}");
        var sample = SampleOf(encoder);
        int length = partial ? sample.Decoded.Length / 2 : sample.Decoded.Length;
        var parameters = sample.Parameters with { DecodedLength = length, Partial = partial };
        var output = new byte[length];
        var result = decompressor.Decompress(sample.Compressed, output, parameters);
        Assert.Equal(new DecompressionResult(DecodeStatus.Done, length, expectedBackend), result);
        Assert.True(output.AsSpan().SequenceEqual(sample.Decoded.AsSpan(0, length)));
    }

    [Fact]
    public async Task AsyncDecodeCompletesSynchronously()
    {
        using var decompressor = new SoftwareDecompressor();
        var sample = SampleOf("zstd-l3-w20");
        var output = new byte[sample.Decoded.Length];
        var pending = decompressor.DecompressAsync(new DecompressionRequest(sample.Compressed, output, sample.Parameters), TestContext.Current.CancellationToken);
        Assert.True(pending.IsCompletedSuccessfully);
        var result = await pending;
        Assert.True(result.Succeeded);
        Assert.Equal(sample.Decoded, output);

        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        var none = await decompressor.DecompressAsync(new DecompressionRequest(sample.Compressed, output, sample.Parameters), cancelled.Token);
        Assert.Equal(DecodeStatus.Cancelled, none.Status);
    }

    [Fact]
    public async Task BatchDecodeUsesTheDefaultOneByOneImplementation()
    {
        IPclusterDecompressor decompressor = new SoftwareDecompressor();
        var samples = new[] { SampleOf("lz4-k4os-fast"), SampleOf("deflate-bcl-optimal"), SampleOf("zstd-l1-w17-nosize") };
        var outputs = samples.Select(s => new byte[s.Decoded.Length]).ToArray();
        var batch = samples.Select((s, i) => new DecompressionRequest(s.Compressed, outputs[i], s.Parameters)).ToArray();
        var results = new DecompressionResult[batch.Length];
        await decompressor.DecompressBatchAsync(batch, results, TestContext.Current.CancellationToken);
        for (int i = 0; i < samples.Length; i++)
        {
            Assert.True(results[i].Succeeded, results[i].ToString());
            Assert.Equal(samples[i].Decoded, outputs[i]);
        }
        ((IDisposable)decompressor).Dispose();
    }

    [Fact]
    public void CorruptDataIsReportedNotThrown()
    {
        using var decompressor = new SoftwareDecompressor();
        var sample = SampleOf("deflate-libdeflate-6");
        var output = new byte[sample.Decoded.Length];
        var result = decompressor.Decompress(sample.Compressed.AsSpan(0, sample.Compressed.Length / 2), output, sample.Parameters);
        Assert.Equal(DecodeStatus.CorruptData, result.Status);
        Assert.Equal(0, result.BytesWritten);
        Assert.Equal(LibdeflateBackend.BackendName, result.Backend);
    }

    [Fact]
    public void InvalidParametersThrowArgumentException()
    {
        using var decompressor = new SoftwareDecompressor();
        var parameters = new DecodeParameters { Algorithm = CompressionAlgorithm.Lz4, DecodedLength = 100 };
        var ex = Assert.Throws<ArgumentException>(() => decompressor.Decompress(new byte[10], new byte[99], parameters));
        Assert.Contains("destination", ex.Message);
        Assert.Throws<ArgumentException>(() => decompressor.Decompress(new byte[10], new byte[100], parameters with { DecodedSkip = 100 }));
    }

    [Fact]
    public void RequestNoBackendTakesIsUnsupported()
    {
        using var decompressor = new SoftwareDecompressor();
        var parameters = new DecodeParameters { Algorithm = CompressionAlgorithm.Zstd, DecodedLength = 100, ZstdWindowLog = 31 };
        Assert.False(decompressor.CanDecode(parameters, 10));
        var result = decompressor.Decompress(new byte[10], new byte[100], parameters);
        Assert.Equal(DecodeStatus.Unsupported, result.Status);
    }

    [Fact]
    public void CorruptVerdictIsConfirmedByASecondBackend()
    {
        // A routing test: the first backend is a test double that wrongly calls every stream corrupt; the real K4os
        // decoder behind it must be consulted and win. With confirmation off, the first verdict stands.
        var sample = SampleOf("lz4-k4os-fast");
        var output = new byte[sample.Decoded.Length];
        var backends = new IDecompressionBackend[] { new AlwaysCorruptBackend(CompressionAlgorithm.Lz4), new Lz4K4osBackend() };

        using var confirming = new SoftwareDecompressor(backends);
        var result = confirming.Decompress(sample.Compressed, output, sample.Parameters);
        Assert.Equal(new DecompressionResult(DecodeStatus.Done, sample.Decoded.Length, Lz4K4osBackend.BackendName), result);
        Assert.Equal(sample.Decoded, output);

        using var trusting = new SoftwareDecompressor(backends, new SoftwareDecompressorOptions { ConfirmCorruptionWithSecondBackend = false });
        Assert.Equal(DecodeStatus.CorruptData, trusting.Decompress(sample.Compressed, output, sample.Parameters).Status);

        // Truly corrupt data stays corrupt after confirmation, attributed to the first backend.
        var bad = confirming.Decompress(sample.Compressed.AsSpan(0, 10), output, sample.Parameters);
        Assert.Equal(new DecompressionResult(DecodeStatus.CorruptData, 0, AlwaysCorruptBackend.BackendName), bad);
    }

    [Fact]
    public void ConcurrentDecodesShareBackendsSafely()
    {
        using var decompressor = new SoftwareDecompressor();
        var samples = new[] { "lz4-liblz4-default", "lz4-k4os-fast", "deflate-libdeflate-6", "lzma-p6-d64k", "zstd-l3-w20", "zstd-l1-w17-nosize" }
            .SelectMany(e => SampleCatalog.For(e).Where(s => s.InputLength is >= 4096 and <= 65537))
            .ToArray();
        int failures = 0;
        Parallel.For(0, samples.Length * 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            var sample = samples[i % samples.Length];
            bool partial = i % 3 == 0;
            var parameters = sample.Parameters with { Partial = partial, DecodedSkip = i % 5 == 0 ? 1 : 0 };
            var output = new byte[parameters.OutputLength];
            var result = decompressor.Decompress(sample.Compressed, output, parameters);
            if (!result.Succeeded || !output.AsSpan().SequenceEqual(sample.Decoded.AsSpan(parameters.DecodedSkip)))
                Interlocked.Increment(ref failures);
        });
        Assert.Equal(0, failures);
    }

    /// <summary>Routing test double: claims every stream is corrupt.</summary>
    private sealed class AlwaysCorruptBackend(CompressionAlgorithm algorithm) : IDecompressionBackend
    {
        public const string BackendName = "test-always-corrupt";
        public string Name => BackendName;
        public BackendKind Kind => BackendKind.Software;
        public BackendAvailability Availability => BackendAvailability.Available("test double");
        public IReadOnlyCollection<CompressionAlgorithm> Algorithms => [algorithm];
        public bool Supports(in DecodeParameters parameters, int sourceLength) => parameters.Algorithm == algorithm;

        public DecodeStatus Decode(ReadOnlySpan<byte> source, Span<byte> destination, in DecodeParameters parameters, out int bytesWritten)
        {
            bytesWritten = 0;
            return DecodeStatus.CorruptData;
        }
    }
}
