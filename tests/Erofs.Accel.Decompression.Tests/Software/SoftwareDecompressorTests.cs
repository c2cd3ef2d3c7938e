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
    public void ContractDecodesInlineWithoutAllocating()
    {
        using var software = new SoftwareDecompressor();
        IPclusterDecompressor decompressor = software;
        var sample = SampleOf("lz4-k4os-fast");
        var output = new byte[sample.Decoded.Length];
        for (int warm = 0; warm < 50; warm++) decompressor.Decompress(sample.Compressed, output, sample.Parameters);
        long fewest = long.MaxValue;
        for (int round = 0; round < 5 && fewest > 0; round++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 20; i++) Assert.True(decompressor.Decompress(sample.Compressed, output, sample.Parameters).Succeeded);
            fewest = Math.Min(fewest, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        Assert.Equal(0, fewest);
        Assert.Equal(sample.Decoded, output);
    }

    [Fact]
    public void BatchDecodeUsesTheDefaultOneByOneImplementation()
    {
        IPclusterDecompressor decompressor = new SoftwareDecompressor();
        var samples = new[] { SampleOf("lz4-k4os-fast"), SampleOf("deflate-bcl-optimal"), SampleOf("zstd-l1-w17-nosize") };
        // every stream in one source buffer, every output in one destination buffer, as the reader lays a batch out
        var source = samples.SelectMany(s => s.Compressed).ToArray();
        var destination = new byte[samples.Sum(s => s.Decoded.Length) + 7];
        var items = new DecompressionBatchItem[samples.Length];
        for (int i = 0, inAt = 0, outAt = 7; i < samples.Length; inAt += samples[i].Compressed.Length, outAt += samples[i].Decoded.Length, i++)
            items[i] = new DecompressionBatchItem(inAt, samples[i].Compressed.Length, outAt, samples[i].Parameters);
        var results = new DecompressionResult[items.Length];
        decompressor.DecompressBatch(source, destination, items, results);
        for (int i = 0; i < samples.Length; i++)
        {
            Assert.True(results[i].Succeeded, results[i].ToString());
            Assert.Equal(samples[i].Decoded, destination.AsSpan(items[i].DestinationOffset, samples[i].Decoded.Length).ToArray());
        }
        ((IDisposable)decompressor).Dispose();
    }

    [Fact]
    public void BatchItemsOutsideTheirBuffersAreRefusedBeforeAnythingRuns()
    {
        using var software = new SoftwareDecompressor();
        IPclusterDecompressor decompressor = software;
        var sample = SampleOf("lz4-k4os-fast");
        var destination = new byte[sample.Decoded.Length];
        var results = new DecompressionResult[2];
        var good = new DecompressionBatchItem(0, sample.Compressed.Length, 0, sample.Parameters);
        var pastDestination = good with { DestinationOffset = 1 };
        var pastSource = good with { SourceOffset = 1 };
        Assert.Throws<ArgumentException>(() => decompressor.DecompressBatch(sample.Compressed, destination, new[] { good, pastDestination }, results));
        Assert.Throws<ArgumentException>(() => decompressor.DecompressBatch(sample.Compressed, destination, new[] { pastSource }, results));
        Assert.Throws<ArgumentException>(() => decompressor.DecompressBatch(sample.Compressed, destination, new[] { good, good }, new DecompressionResult[1]));
        Assert.Equal(default, results[0]);
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
