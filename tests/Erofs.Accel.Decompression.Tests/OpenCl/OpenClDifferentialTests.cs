using Erofs.Accel.Decompression.OpenCl;

namespace Erofs.Accel.Decompression.Tests.OpenCl;

/// <summary>
/// Thousands of real pclusters decoded by the OpenCL backend must equal the software result byte for byte, with
/// every guard (device buffer and destination) intact.
/// </summary>
[Collection(OpenClCollection.Name)]
public sealed class OpenClDifferentialTests(OpenClFixture fixture)
{
    public static TheoryData<GeneratedCodec, int> Sets => new()
    {
        { GeneratedCodec.Lz4Fast, 1500 },
        { GeneratedCodec.Lz4High, 800 },
        { GeneratedCodec.DeflateWindow4K, 800 },
        { GeneratedCodec.DeflateWindow32K, 800 },
        { GeneratedCodec.DeflateStream32K, 300 },
    };

    [Theory]
    [MemberData(nameof(Sets))]
    public async Task Batch_EqualsSoftware(GeneratedCodec codec, int count)
    {
        var backend = fixture.Backend;
        var samples = Samples(codec, count);
        await AssertBatchEqualsSoftware(backend, samples, codec.ToString());
    }

    public static TheoryData<GeneratedCodec, string> GroupSets
    {
        get
        {
            var data = new TheoryData<GeneratedCodec, string>();
            foreach (var layout in new[] { OpenClFixture.Groups, OpenClFixture.GroupsSmallRing })
                foreach (var codec in new[] { GeneratedCodec.Lz4Fast, GeneratedCodec.Lz4High, GeneratedCodec.DeflateWindow4K, GeneratedCodec.DeflateWindow32K, GeneratedCodec.DeflateStream32K })
                    data.Add(codec, layout);
            return data;
        }
    }

    /// <summary>The GPU kernels (work-group per item, output ring in local memory) on generated and corpus pclusters.</summary>
    [Theory]
    [MemberData(nameof(GroupSets))]
    public async Task GroupLayout_EqualsSoftware(GeneratedCodec codec, string layout)
    {
        var backend = fixture.For(layout);
        var samples = Samples(codec, 800).Take(250).Concat(PclusterDataSet.Corpus(codec)).ToList();
        await AssertBatchEqualsSoftware(backend, samples, $"{layout}/{codec}");
    }

    [Fact]
    public async Task MixedAlgorithms_OneBatch_EachItemCorrect()
    {
        var backend = fixture.Backend;
        var lz4 = Samples(GeneratedCodec.Lz4Fast, 1500);
        var deflate = Samples(GeneratedCodec.DeflateWindow32K, 800);
        var mixed = new List<PclusterSample>();
        for (int i = 0; i < 600; i++) mixed.Add(i % 3 == 0 ? deflate[i % deflate.Count] : lz4[i % lz4.Count]);
        await AssertBatchEqualsSoftware(backend, mixed, "mixed");
    }

    [Fact]
    public void SingleDecode_EqualsSoftware()
    {
        var backend = fixture.Backend;
        foreach (var s in Samples(GeneratedCodec.Lz4Fast, 1500).Take(5).Concat(Samples(GeneratedCodec.DeflateWindow4K, 800).Take(5)))
        {
            var destination = new byte[s.Expected.Length + 32];
            destination.AsSpan().Fill(0xEE);
            var status = backend.Decode(s.Compressed, destination.AsSpan(0, s.Expected.Length), s.Parameters, out int written);
            Assert.Equal(DecodeStatus.Done, status);
            Assert.Equal(s.Expected.Length, written);
            Assert.True(destination.AsSpan(0, written).SequenceEqual(s.Expected), s.Name);
            Assert.False(destination.AsSpan(written).ContainsAnyExcept((byte)0xEE));
        }
    }

    [Theory]
    [MemberData(nameof(OpenClFixture.Layouts), MemberType = typeof(OpenClFixture))]
    public async Task PartialAndSkip_WriteTheRequestedWindow(string layout)
    {
        var backend = fixture.For(layout);
        var picks = Samples(GeneratedCodec.Lz4High, 800).Where(s => s.Expected.Length >= 8192).Take(40)
            .Concat(Samples(GeneratedCodec.DeflateWindow32K, 800).Where(s => s.Expected.Length >= 8192).Take(40)).ToList();
        var rng = new Random(5);
        var items = new List<(byte[], DecodeParameters, int)>();
        var windows = new List<(int Skip, int Length)>();
        foreach (var s in picks)
        {
            int length = rng.Next(2) == 0 ? s.Expected.Length : 1 + rng.Next(s.Expected.Length - 1);
            int skip = rng.Next(length);
            var p = s.Parameters with { DecodedLength = length, DecodedSkip = skip, Partial = length < s.Expected.Length };
            items.Add((s.Compressed, p, length - skip));
            windows.Add((skip, length));
        }
        var batch = new GuardedBatch(items);
        long violations = backend.GuardViolations;
        await batch.RunAsync(backend);
        for (int i = 0; i < picks.Count; i++)
        {
            Assert.Equal(DecodeStatus.Done, batch.Results[i].Status);
            var (skip, length) = windows[i];
            Assert.Equal(length - skip, batch.Results[i].BytesWritten);
            Assert.True(batch.Destination(i).SequenceEqual(picks[i].Expected.AsSpan(skip, length - skip)), $"{picks[i]} skip {skip} length {length}");
        }
        batch.AssertGuards(backend, violations);
    }

    [Fact]
    public async Task BatchLargerThanOneSlot_IsSplitAndPipelined()
    {
        var backend = fixture.Backend;
        var samples = Samples(GeneratedCodec.Lz4Fast, 1500);
        long before = backend.BatchesSubmitted;
        var stats = backend.Statistics;
        await AssertBatchEqualsSoftware(backend, samples.Concat(samples).ToList(), "3000 items");
        Assert.True(backend.BatchesSubmitted - before >= 3, "3000 items over 1024-item slots take at least 3 submissions");
        var after = backend.Statistics;
        Assert.Equal(2L * samples.Count, after.Items - stats.Items);
        Assert.Equal(2L * samples.Sum(s => (long)s.Expected.Length), after.DecodedBytes - stats.DecodedBytes);
        Assert.True(after.Device > stats.Device);
    }

    internal static IReadOnlyList<PclusterSample> Samples(GeneratedCodec codec, int count)
    {
        if (codec is GeneratedCodec.DeflateWindow4K && !ZlibRawDeflate.IsAvailable())
            Assert.Skip("libz.so.1 is needed to make 4 KiB-window DEFLATE streams");
        var samples = PclusterDataSet.For(codec, count);
        Assert.True(samples.Count >= Math.Min(count, 200), $"only {samples.Count} {codec} samples could be generated");
        return samples;
    }

    internal static async Task AssertBatchEqualsSoftware(OpenClBackend backend, IReadOnlyList<PclusterSample> samples, string what)
    {
        var batch = GuardedBatch.Of(samples);
        long violations = backend.GuardViolations;
        await batch.RunAsync(backend);
        int checkedAgainstSoftware = 0;
        for (int i = 0; i < samples.Count; i++)
        {
            var s = samples[i];
            Assert.True(batch.Results[i].Status == DecodeStatus.Done, $"{what} item {i} {s}: {batch.Results[i].Status}");
            Assert.Equal(s.Expected.Length, batch.Results[i].BytesWritten);
            Assert.Equal(OpenClBackend.BackendName, batch.Results[i].Backend);
            // the software result, computed for a stride of items (it is the original bytes for all of them)
            var expected = s.Expected;
            if (i % 7 == 0)
            {
                expected = SoftwareReference.Decode(s.Algorithm, s.Compressed, s.Expected.Length)
                    ?? throw new InvalidOperationException($"software rejects {s}");
                checkedAgainstSoftware++;
            }
            if (!batch.Destination(i).SequenceEqual(expected))
            {
                int at = batch.Destination(i).CommonPrefixLength(expected);
                Assert.Fail($"{what} item {i} {s} differs from software at byte {at}");
            }
        }
        Assert.True(checkedAgainstSoftware > 0);
        batch.AssertGuards(backend, violations);
    }
}
