using Erofs.Accel.Decompression.Tests.TestSupport;

namespace Erofs.Accel.Decompression.Tests.Software;

/// <summary>Malformed, truncated and mislabelled streams give CorruptData (or a correct Done), never a crash or an overrun.</summary>
public sealed class CorruptionTests
{
    public static TheoryData<string, string> Pairs() => TestBackends.BackendEncoderPairs();

    public static TheoryData<string> Backends() => TestBackends.BackendNames();

    [Theory]
    [MemberData(nameof(Pairs))]
    public void FullDecodeWithWrongLengthIsCorrupt(string backendName, string encoderName)
    {
        var backend = TestBackends.Require(backendName);
        foreach (var sample in SampleCatalog.For(encoderName))
        {
            int length = sample.Decoded.Length;
            foreach (int wrong in new[] { length - 1, length + 1, length * 2 + 7 })
            {
                if (wrong <= 0) continue;
                var parameters = sample.Parameters with { DecodedLength = wrong };
                var run = GuardedDecode.Run(backend, sample.Compressed, parameters);
                string context = $"{sample} claimed length {wrong}";
                if (wrong == length + 1 && MayDecodeOneByteTooMany(backend, run, sample, context)) continue;
                run.AssertCorrupt(context);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Pairs))]
    public void PartialDecodeBeyondTheStreamIsCorrupt(string backendName, string encoderName)
    {
        var backend = TestBackends.Require(backendName);
        if (!backend.SupportsPartial) return; // asserted in RoundTripTests: partial requests are refused as Unsupported
        foreach (var sample in SampleCatalog.Representative(encoderName))
        {
            var parameters = sample.Parameters with { DecodedLength = sample.Decoded.Length + 1, Partial = true };
            var run = GuardedDecode.Run(backend, sample.Compressed, parameters);
            string context = $"{sample} partial past the end";
            if (MayDecodeOneByteTooMany(backend, run, sample, context)) continue;
            run.AssertCorrupt(context);
        }
    }

    /// <summary>
    /// MicroLZMA has no end marker: after the last real symbol the range decoder sits at code 0 and can sometimes
    /// decode one more symbol without reading input, so liblzma (and the kernel, and erofs-utils) accept a claimed
    /// length one byte too long for about 1 stream in 400. The real bytes must still be exact. Every other algorithm,
    /// and MicroLZMA for any other wrong length, must say CorruptData.
    /// </summary>
    private static bool MayDecodeOneByteTooMany(IDecompressionBackend backend, GuardedDecode run, Sample sample, string context)
    {
        if (backend.Algorithms.Single() != CompressionAlgorithm.MicroLzma || run.Status != DecodeStatus.Done) return false;
        Assert.True(run.GuardsIntact, context);
        Assert.True(run.Destination[..sample.Decoded.Length].SequenceEqual(sample.Decoded), $"{context}: real bytes differ");
        return true;
    }

    private static int StableSeed(string text)
    {
        int seed = 17;
        foreach (char c in text) seed = unchecked(seed * 31 + c);
        return seed;
    }

    [Theory]
    [MemberData(nameof(Pairs))]
    public void TruncatedStreamIsCorrupt(string backendName, string encoderName)
    {
        var backend = TestBackends.Require(backendName);
        foreach (var sample in SampleCatalog.For(encoderName))
        {
            int length = sample.Compressed.Length;
            foreach (int keep in new[] { length - 1, length - 2, length * 3 / 4, length / 2, 1 }.Distinct())
            {
                if (keep <= 0 || keep >= length) continue;
                var truncated = sample.Compressed.AsSpan(0, keep);
                GuardedDecode.Run(backend, truncated, sample.Parameters).AssertCorrupt($"{sample} cut to {keep}B");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Pairs))]
    public void FlippedBitsGiveCorruptDataOrExactOutput(string backendName, string encoderName)
    {
        var backend = TestBackends.Require(backendName);
        var random = new Random(StableSeed(backendName + encoderName));
        foreach (var sample in SampleCatalog.Representative(encoderName))
        {
            for (int trial = 0; trial < 40; trial++)
            {
                var damaged = (byte[])sample.Compressed.Clone();
                int flips = 1 + trial % 4;
                for (int f = 0; f < flips; f++) damaged[random.Next(damaged.Length)] ^= (byte)(1 << random.Next(8));

                bool partial = trial % 2 == 1 && backend.SupportsPartial;
                var parameters = sample.Parameters with { Partial = partial, DecodedSkip = trial % 3 == 0 ? sample.Decoded.Length / 2 : 0 };
                var run = GuardedDecode.Run(backend, damaged, parameters);
                string context = $"{sample} trial {trial} ({flips} flips, partial={partial})";
                Assert.True(run.Status is DecodeStatus.Done or DecodeStatus.CorruptData, $"{context}: {run.Status}");
                Assert.True(run.GuardsIntact, $"{context}: wrote outside the destination");
                Assert.Equal(run.Status == DecodeStatus.Done ? parameters.OutputLength : 0, run.BytesWritten);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void RandomGarbageNeverOverruns(string backendName)
    {
        var backend = TestBackends.Require(backendName);
        var random = new Random(7);
        foreach (int sourceLength in new[] { 1, 2, 5, 16, 100, 4096, 65536 })
        {
            for (int trial = 0; trial < 20; trial++)
            {
                var garbage = new byte[sourceLength];
                random.NextBytes(garbage);
                if (trial % 5 == 0 && backend.Algorithm == CompressionAlgorithm.Zstd && sourceLength >= 4)
                    new byte[] { 0x28, 0xB5, 0x2F, 0xFD }.CopyTo(garbage, 0); // get past the magic check
                int decodedLength = trial % 2 == 0 ? 4096 : random.Next(1, 200_000);
                var parameters = new DecodeParameters
                {
                    Algorithm = backend.Algorithm,
                    DecodedLength = decodedLength,
                    Partial = trial % 3 == 0 && backend.SupportsPartial,
                };
                var run = GuardedDecode.Run(backend, garbage, parameters);
                string context = $"{sourceLength}B garbage, trial {trial}";
                Assert.True(run.Status is DecodeStatus.Done or DecodeStatus.CorruptData, $"{context}: {run.Status}");
                Assert.True(run.GuardsIntact, $"{context}: wrote outside the destination");
            }
        }
    }
}
