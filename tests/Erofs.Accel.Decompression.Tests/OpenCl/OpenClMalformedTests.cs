using Erofs.Accel.Decompression.OpenCl;

namespace Erofs.Accel.Decompression.Tests.OpenCl;

/// <summary>
/// Malformed items (bit flips, truncation, bad back-references, wrong capacity, garbage) must come back with a
/// status, never crash or hang the device, and never touch a guard byte of the device buffer or the destinations.
/// </summary>
[Collection(OpenClCollection.Name)]
public sealed class OpenClMalformedTests(OpenClFixture fixture)
{
    private static readonly GeneratedCodec[] AllCodecs =
        [GeneratedCodec.Lz4Fast, GeneratedCodec.Lz4High, GeneratedCodec.DeflateWindow4K, GeneratedCodec.DeflateWindow32K];

    /// <summary>Every codec in every layout (the group layouts, slower on a CPU device, take fewer items).</summary>
    public static TheoryData<GeneratedCodec, string> Codecs
    {
        get
        {
            var data = new TheoryData<GeneratedCodec, string>();
            foreach (var layout in OpenClFixture.LayoutNames)
                foreach (var codec in AllCodecs)
                    data.Add(codec, layout);
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public async Task BitFlips_GiveAStatus_AndAgreeWithSoftwareWhenBothDecode(GeneratedCodec codec, string layout)
    {
        var backend = fixture.For(layout);
        var rng = new Random(11 + (int)codec);
        var samples = OpenClDifferentialTests.Samples(codec, Count(codec)).Take(layout == OpenClFixture.Items ? 400 : 150).ToList();
        var flipped = new List<PclusterSample>();
        foreach (var s in samples)
        {
            var bytes = (byte[])s.Compressed.Clone();
            int flips = 1 + rng.Next(3);
            for (int f = 0; f < flips; f++)
            {
                int at = rng.Next(Math.Min(bytes.Length, 64 + rng.Next(bytes.Length)));
                bytes[at] ^= (byte)(1 << rng.Next(8));
            }
            flipped.Add(s with { Compressed = bytes });
        }
        var (batch, violations) = await Run(backend, flipped);
        int done = 0, corrupt = 0;
        for (int i = 0; i < flipped.Count; i++)
        {
            var r = batch.Results[i];
            Assert.True(r.Status is DecodeStatus.Done or DecodeStatus.CorruptData or DecodeStatus.WrongLength, $"item {i}: {r.Status}");
            if (r.Status != DecodeStatus.Done)
            {
                corrupt++;
                Assert.Equal(0, r.BytesWritten);
                continue;
            }
            done++;
            var software = SoftwareReference.Decode(flipped[i].Algorithm, flipped[i].Compressed, flipped[i].Expected.Length);
            if (software is not null)
                Assert.True(batch.Destination(i).SequenceEqual(software), $"item {i} {flipped[i]}: both decoders accept the stream but disagree");
        }
        Assert.True(corrupt > flipped.Count / 4, $"only {corrupt} of {flipped.Count} flipped streams were rejected");
        batch.AssertGuards(backend, violations);
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public async Task Truncation_IsNeverDone(GeneratedCodec codec, string layout)
    {
        var backend = fixture.For(layout);
        var rng = new Random(23 + (int)codec);
        var cut = OpenClDifferentialTests.Samples(codec, Count(codec)).Take(layout == OpenClFixture.Items ? 300 : 120)
            .Select(s => s with { Compressed = s.Compressed.AsSpan(0, 1 + rng.Next(s.Compressed.Length - 1)).ToArray() })
            .ToList();
        var (batch, violations) = await Run(backend, cut);
        for (int i = 0; i < cut.Count; i++)
            Assert.True(batch.Results[i].Status == DecodeStatus.CorruptData, $"item {i} {cut[i]}: {batch.Results[i].Status}");
        batch.AssertGuards(backend, violations);
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public async Task WrongCapacity_TooSmallOrTooLarge_IsCorrupt(GeneratedCodec codec, string layout)
    {
        var backend = fixture.For(layout);
        var picks = OpenClDifferentialTests.Samples(codec, Count(codec)).Where(s => s.Expected.Length > 300).Take(200).ToList();
        var items = new List<(byte[], DecodeParameters, int)>();
        for (int i = 0; i < picks.Count; i++)
        {
            int length = i % 2 == 0 ? picks[i].Expected.Length - 1 - i % 250 : picks[i].Expected.Length + 1 + i % 100;
            items.Add((picks[i].Compressed, picks[i].Parameters with { DecodedLength = length }, length));
        }
        var batch = new GuardedBatch(items);
        long violations = backend.GuardViolations;
        await batch.RunAsync(backend);
        for (int i = 0; i < picks.Count; i++)
            Assert.True(batch.Results[i].Status == DecodeStatus.CorruptData, $"item {i}: {batch.Results[i].Status}");
        batch.AssertGuards(backend, violations);
    }

    [Theory]
    [MemberData(nameof(OpenClFixture.Layouts), MemberType = typeof(OpenClFixture))]
    public async Task Garbage_GivesAStatus(string layout)
    {
        var backend = fixture.For(layout);
        var rng = new Random(3);
        var items = new List<(byte[], DecodeParameters, int)>();
        for (int i = 0; i < (layout == OpenClFixture.Items ? 400 : 150); i++)
        {
            var junk = new byte[1 + rng.Next(20000)];
            rng.NextBytes(junk);
            if (i % 5 == 0) junk.AsSpan(0, Math.Min(junk.Length, 64)).Fill(0xFF);   // long LZ4 length runs
            int length = 1 + rng.Next(65536);
            var algorithm = i % 2 == 0 ? CompressionAlgorithm.Lz4 : CompressionAlgorithm.Deflate;
            items.Add((junk, new DecodeParameters { Algorithm = algorithm, DecodedLength = length, Partial = i % 3 == 0 }, length));
        }
        var batch = new GuardedBatch(items);
        long violations = backend.GuardViolations;
        await batch.RunAsync(backend);
        for (int i = 0; i < items.Count; i++)
            Assert.True(batch.Results[i].Status is DecodeStatus.Done or DecodeStatus.CorruptData or DecodeStatus.WrongLength, $"item {i}: {batch.Results[i].Status}");
        batch.AssertGuards(backend, violations);
    }

    [Theory]
    [MemberData(nameof(OpenClFixture.Layouts), MemberType = typeof(OpenClFixture))]
    public async Task BackReferencesBeforeTheStart_AreCorrupt(string layout)
    {
        var backend = fixture.For(layout);
        var items = new List<(byte[], DecodeParameters, int)>
        {
            // LZ4: 1 literal 'a', then a match at distance 5 (only 1 byte exists), then 5 final literals
            (new byte[] { 0x10, (byte)'a', 5, 0, 0x50, 1, 2, 3, 4, 5 }, Lz4(1 + 4 + 5), 10),
            // LZ4: distance 0 is invalid
            (new byte[] { 0x10, (byte)'a', 0, 0, 0x50, 1, 2, 3, 4, 5 }, Lz4(10), 10),
            // LZ4: first sequence is a match at distance 1 with nothing decoded yet
            (new byte[] { 0x00, 1, 0, 0x50, 1, 2, 3, 4, 5 }, Lz4(9), 9),
            // DEFLATE fixed block: 'a', then length 3 at distance 5
            (new DeflateBitWriter().Bits(1, 1).Bits(1, 2).FixedLiteral((byte)'a').FixedLengthSymbol(257).FixedDistanceSymbol(4).Bits(0, 1).EndOfBlock().ToArray(), Deflate(4), 4),
            // DEFLATE fixed block: distance symbol 30 does not exist
            (new DeflateBitWriter().Bits(1, 1).Bits(1, 2).FixedLiteral((byte)'a').FixedLengthSymbol(257).FixedDistanceSymbol(30).EndOfBlock().ToArray(), Deflate(4), 4),
            // DEFLATE: block type 3 is reserved
            (new DeflateBitWriter().Bits(1, 1).Bits(3, 2).Bits(0, 13).ToArray(), Deflate(4), 4),
            // DEFLATE stored block whose NLEN is not the complement of LEN
            (new byte[] { 0x01, 0x04, 0x00, 0x00, 0x00, 1, 2, 3, 4 }, Deflate(4), 4),
        };
        var batch = new GuardedBatch(items);
        long violations = backend.GuardViolations;
        await batch.RunAsync(backend);
        for (int i = 0; i < items.Count; i++)
            Assert.True(batch.Results[i].Status == DecodeStatus.CorruptData, $"item {i}: {batch.Results[i].Status}");
        batch.AssertGuards(backend, violations);
    }

    [Theory]
    [MemberData(nameof(OpenClFixture.Layouts), MemberType = typeof(OpenClFixture))]
    public async Task HandMadeValidStreams_Decode(string layout)
    {
        var backend = fixture.For(layout);
        var items = new List<(byte[], DecodeParameters, int)>
        {
            // LZ4: "ab" then a 6-byte overlapping match at distance 2, then 5 literals => "abababab" + "12345"
            (new byte[] { 0x22, (byte)'a', (byte)'b', 2, 0, 0x50, (byte)'1', (byte)'2', (byte)'3', (byte)'4', (byte)'5' }, Lz4(13), 13),
            // DEFLATE stored block "xyz"
            (new byte[] { 0x01, 0x03, 0x00, 0xFC, 0xFF, (byte)'x', (byte)'y', (byte)'z' }, Deflate(3), 3),
            // DEFLATE fixed block: 'a', then length 4 at distance 1 => "aaaaa"
            (new DeflateBitWriter().Bits(1, 1).Bits(1, 2).FixedLiteral((byte)'a').FixedLengthSymbol(258).FixedDistanceSymbol(0).EndOfBlock().ToArray(), Deflate(5), 5),
        };
        var batch = new GuardedBatch(items);
        await batch.RunAsync(backend);
        Assert.All(batch.Results, r => Assert.Equal(DecodeStatus.Done, r.Status));
        Assert.Equal("abababab12345"u8.ToArray(), batch.Destination(0).ToArray());
        Assert.Equal("xyz"u8.ToArray(), batch.Destination(1).ToArray());
        Assert.Equal("aaaaa"u8.ToArray(), batch.Destination(2).ToArray());
    }

    private static DecodeParameters Lz4(int length) => new() { Algorithm = CompressionAlgorithm.Lz4, DecodedLength = length };

    private static DecodeParameters Deflate(int length) => new() { Algorithm = CompressionAlgorithm.Deflate, DecodedLength = length };

    private static int Count(GeneratedCodec codec) => codec switch
    {
        GeneratedCodec.Lz4Fast => 1500,
        _ => 800,
    };

    private static async Task<(GuardedBatch Batch, long Violations)> Run(OpenClBackend backend, IReadOnlyList<PclusterSample> samples)
    {
        var batch = GuardedBatch.Of(samples);
        long violations = backend.GuardViolations;
        await batch.RunAsync(backend);
        return (batch, violations);
    }
}
