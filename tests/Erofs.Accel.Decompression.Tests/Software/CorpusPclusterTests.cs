using Erofs.Accel.Core;
using Erofs.Accel.Testing;

namespace Erofs.Accel.Decompression.Tests.Software;

/// <summary>Every software backend decodes every real pcluster of the corpus to the same bytes, inside its destination.</summary>
public class CorpusPclusterTests
{
    public static TheoryData<string> Images => new() { "lz4", "lz4-legacy", "lz4hc-C64k", "lzma", "lzma-kitchen-sink", "deflate", "deflate-w4k", "zstd", "zstd-48bit", "multi-alg" };

    [Theory]
    [MemberData(nameof(Images))]
    public void AllBackendsAgreeOnRealPclusters(string name)
    {
        var path = TestCorpus.ImagePath(name);
        using var image = ErofsImage.Open(path);
        var backends = SoftwareBackends.CreateAll().Where(b => b.Availability.IsAvailable).ToList();
        int count = 0;
        foreach (var p in image.EnumeratePclusters())
        {
            byte[]? reference = null;
            foreach (var b in backends.Where(b => b.Supports(p.Parameters, p.Source.Length)))
            {
                var dest = new byte[p.Parameters.OutputLength + 64];
                dest.AsSpan().Fill(0xCD);
                var status = b.Decode(p.Source, dest.AsSpan(0, p.Parameters.OutputLength), p.Parameters, out int written);
                Assert.True(status == DecodeStatus.Done, $"{b.Name} on {name}@{p.Extent.PhysicalAddress}: {status}");
                Assert.Equal(p.Parameters.OutputLength, written);
                Assert.False(dest.AsSpan(written).ContainsAnyExcept((byte)0xCD), $"{b.Name} wrote past its destination");
                reference ??= dest[..written];
                Assert.True(reference.AsSpan().SequenceEqual(dest.AsSpan(0, written)), $"{b.Name} differs on {name}@{p.Extent.PhysicalAddress}");
            }
            Assert.NotNull(reference);
            count++;
        }
        Assert.True(count >= 8, $"only {count} pclusters in {name}");
    }
}
