using Erofs.Accel.Core;
using Erofs.Accel.Decompression.Backends.Lzma;
using Erofs.Accel.Decompression.Software;
using Erofs.Accel.Decompression.Tests.TestSupport;
using Erofs.Accel.Decompression.Tests.TestSupport.Encoders;
using Erofs.Accel.Testing;

namespace Erofs.Accel.Decompression.Tests.Software;

/// <summary>
/// The managed MicroLZMA decoder against liblzma: the same bytes for every stream liblzma writes (all lc/lp/pb,
/// presets, dictionaries; full, partial and skipping decodes), the same verdict on damaged streams, and images that
/// open without liblzma. (Corpus pclusters, round trips, corruption and allocation are covered with every backend.)
/// </summary>
public sealed class MicroLzmaManagedTests
{
    private static readonly LzmaManagedBackend Managed = new();

    private static SoftwareBackend Native => TestBackends.Require(LzmaNativeBackend.BackendName);

    private static (DecodeStatus Status, byte[] Output) Decode(SoftwareBackend backend, byte[] source, in DecodeParameters parameters)
    {
        var output = new byte[parameters.OutputLength];
        var status = backend.Decode(source, output, parameters, out int written);
        return (status, status == DecodeStatus.Done ? output[..written] : Array.Empty<byte>());
    }

    public static TheoryData<int> Seeds()
    {
        var data = new TheoryData<int>();
        for (int seed = 1; seed <= 24; seed++) data.Add(seed);
        return data;
    }

    /// <summary>One random stream: data kind, length, preset, dictionary and lc/lp/pb drawn from the seed.</summary>
    private static (byte[] Data, EncodedStream Stream, DecodeParameters Parameters) RandomStream(int seed)
    {
        var random = new Random(seed);
        var kind = (DataKind)random.Next(4);
        int length = random.Next(4) switch { 0 => random.Next(1, 64), 1 => random.Next(64, 4096), 2 => random.Next(4096, 70000), _ => random.Next(70000, 300000) };
        var data = TestData.Generate(kind, length, seed);
        int lc = random.Next(5), lp = random.Next(5 - lc), pb = random.Next(5);
        int dictionary = 4096 << random.Next(9);
        var stream = MicroLzmaEncoders.Encode(data, (uint)random.Next(10), dictionary, int.MaxValue, (lc, lp, pb));
        Assert.Equal(data.Length, stream.DecodedLength);
        return (data, stream, new DecodeParameters { Algorithm = CompressionAlgorithm.MicroLzma, DecodedLength = data.Length, LzmaDictionarySize = dictionary });
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void DecodesEveryLiblzmaStreamAsLiblzmaDoes(int seed)
    {
        var (data, stream, full) = RandomStream(seed);
        var requests = new List<DecodeParameters> { full };
        if (data.Length > 2)
        {
            requests.Add(full with { DecodedSkip = data.Length / 3 });
            requests.Add(full with { Partial = true, DecodedLength = data.Length / 2 + 1 });
            requests.Add(full with { Partial = true, DecodedLength = data.Length - 1, DecodedSkip = data.Length / 4 });
        }
        foreach (var parameters in requests)
        {
            var managed = Decode(Managed, stream.Compressed, parameters);
            Assert.True(managed.Status == DecodeStatus.Done, $"seed {seed} {parameters}: {managed.Status}");
            Assert.Equal(data.AsSpan(parameters.DecodedSkip, parameters.OutputLength).ToArray(), managed.Output);
            var native = Decode(Native, stream.Compressed, parameters);
            Assert.Equal(native.Status, managed.Status);
        }
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void DamagedStreamsGetLiblzmasVerdict(int seed)
    {
        var (data, stream, full) = RandomStream(seed);
        var random = new Random(seed * 7919);
        int agreedCorrupt = 0;
        for (int trial = 0; trial < 40; trial++)
        {
            var damaged = (byte[])stream.Compressed.Clone();
            var parameters = full;
            switch (trial % 4)
            {
                case 0: damaged[random.Next(damaged.Length)] ^= (byte)(1 << random.Next(8)); break;
                case 1: damaged[random.Next(damaged.Length)] = (byte)random.Next(256); break;
                case 2: damaged = damaged[..random.Next(damaged.Length)]; break;
                default: parameters = full with { DecodedLength = Math.Max(1, data.Length + random.Next(-3, 4)) }; break;
            }
            var managed = Decode(Managed, damaged, parameters);
            var native = Decode(Native, damaged, parameters);
            Assert.True(native.Status == managed.Status, $"seed {seed} trial {trial}: liblzma {native.Status}, managed {managed.Status}");
            if (managed.Status == DecodeStatus.Done) Assert.Equal(native.Output, managed.Output);
            else agreedCorrupt++;
        }
        Assert.True(agreedCorrupt > 0, "no damage was detected at all");
    }

    [Fact]
    public void PropertiesOutOfRangeAreCorrupt()
    {
        var stream = MicroLzmaEncoders.Encode(TestData.Generate(DataKind.Text, 5000), 6, 1 << 16, int.MaxValue);
        var parameters = new DecodeParameters { Algorithm = CompressionAlgorithm.MicroLzma, DecodedLength = 5000 };
        foreach (int properties in new[] { 9 * 5 * 5, 0xFF, 4 + 1 * 9, 0 + 5 * 9 })
        {
            // (lc 4, lp 1): lc + lp > 4; (lp 5): out of range; >= 225: pb > 4
            var bad = (byte[])stream.Compressed.Clone();
            bad[0] = (byte)~properties;
            Assert.Equal(DecodeStatus.CorruptData, Decode(Managed, bad, parameters).Status);
            Assert.Equal(DecodeStatus.CorruptData, Decode(Native, bad, parameters).Status);
        }
        Assert.Equal(DecodeStatus.CorruptData, Decode(Managed, stream.Compressed[..4], parameters).Status);
    }

    [Theory]
    [InlineData("lzma")]
    [InlineData("lzma-kitchen-sink")]
    public void ImagesOpenWithoutLiblzma(string name)
    {
        // liblzma "missing": its backend probes a library name that does not exist
        var missing = new LzmaNativeBackend("liblzma-not-installed.so.5");
        Assert.False(missing.Availability.IsAvailable);
        using var decompressor = new SoftwareDecompressor([missing, new LzmaManagedBackend()]);
        using var image = ErofsImage.Open(TestCorpus.ImagePath(name), new ErofsImageOptions { Decompressor = decompressor });
        int files = 0;
        foreach (var line in File.ReadLines(TestCorpus.ManifestPath(name)).Skip(1))
        {
            var f = line.Split('\t');
            if (f[1] != "f" || f[0].Contains('\\')) continue;
            var bytes = image.ReadAllBytes(image.Resolve(f[0]));
            Assert.True(f[10] == Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)), f[0]);
            files++;
        }
        Assert.True(files > 300);
    }
}
