using Erofs.Accel.Decompression.Tests.TestSupport;

namespace Erofs.Accel.Decompression.Tests.Software;

/// <summary>Every software backend decodes streams of every encoder of its algorithm, whole, with skips and as prefixes.</summary>
public sealed class RoundTripTests
{
    public static TheoryData<string, string> Pairs() => TestBackends.BackendEncoderPairs();

    [Theory]
    [MemberData(nameof(Pairs))]
    public void FullDecodeReproducesTheInput(string backendName, string encoderName)
    {
        var backend = TestBackends.Require(backendName);
        foreach (var sample in SampleCatalog.For(encoderName))
        {
            Assert.True(backend.Supports(sample.Parameters, sample.Compressed.Length), $"{sample}: not supported");
            GuardedDecode.Run(backend, sample.Compressed, sample.Parameters).AssertDone(sample.Decoded, sample.ToString());
        }
    }

    [Theory]
    [MemberData(nameof(Pairs))]
    public void SkipWritesOnlyTheRequestedRange(string backendName, string encoderName)
    {
        var backend = TestBackends.Require(backendName);
        foreach (var sample in SampleCatalog.For(encoderName))
        {
            int length = sample.Decoded.Length;
            foreach (int skip in new[] { 1, length / 2, length - 1, 4096, 70000 }.Distinct())
            {
                if (skip <= 0 || skip >= length) continue;
                var parameters = sample.Parameters with { DecodedSkip = skip };
                GuardedDecode.Run(backend, sample.Compressed, parameters).AssertDone(sample.Decoded.AsSpan(skip), $"{sample} skip {skip}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Pairs))]
    public void PartialDecodeStopsExactlyAtTheTarget(string backendName, string encoderName)
    {
        var backend = TestBackends.Require(backendName);
        foreach (var sample in SampleCatalog.For(encoderName))
        {
            int length = sample.Decoded.Length;
            foreach (int target in new[] { 1, 2, 100, 4095, 4096, length / 3, length - 1, length }.Distinct())
            {
                if (target <= 0 || target > length) continue;
                foreach (int skip in new[] { 0, target / 2 }.Distinct())
                {
                    if (skip >= target) continue;
                    var parameters = sample.Parameters with { DecodedLength = target, DecodedSkip = skip, Partial = true };
                    string context = $"{sample} partial [{skip}, {target})";
                    var run = GuardedDecode.Run(backend, sample.Compressed, parameters);
                    if (!backend.SupportsPartial)
                    {
                        Assert.False(backend.Supports(parameters, sample.Compressed.Length), context);
                        Assert.Equal(DecodeStatus.Unsupported, run.Status);
                        Assert.True(run.GuardsIntact, context);
                        continue;
                    }
                    run.AssertDone(sample.Decoded.AsSpan(skip, target - skip), context);
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Pairs))]
    public void LargerDestinationIsWrittenOnlyUpToTheOutputLength(string backendName, string encoderName)
    {
        var backend = TestBackends.Require(backendName);
        foreach (var sample in SampleCatalog.Representative(encoderName))
        {
            int spare = 100;
            var run = GuardedDecode.Run(backend, sample.Compressed, sample.Parameters, sample.Parameters.OutputLength + spare);
            Assert.Equal(DecodeStatus.Done, run.Status);
            Assert.Equal(sample.Decoded.Length, run.BytesWritten);
            Assert.True(run.Destination[..sample.Decoded.Length].SequenceEqual(sample.Decoded), sample.ToString());
            Assert.True(run.Destination[sample.Decoded.Length..].IndexOfAnyExcept(GuardedDecode.Fill) < 0, $"{sample}: wrote past OutputLength");
        }
    }
}
