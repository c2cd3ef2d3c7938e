using Erofs.Accel.Format;
using Erofs.Accel.Testing;

namespace Erofs.Accel.Format.Tests;

public class CompressionConfigsTests
{
    private static CompressionConfigs Load(string image)
    {
        var all = File.ReadAllBytes(TestCorpus.ImagePath(image));
        var sb = Superblock.Parse(all.AsSpan(1024, 3072));
        long start = 1024 + sb.Size;
        return CompressionConfigs.Parse(sb, all.AsSpan((int)start, CompressionConfigs.MaxRecordsBytes), start);
    }

    [Fact]
    public void MultiAlgorithmImageHasAllFourRecords()
    {
        var c = Load("multi-alg");
        Assert.Equal(0xF, c.AvailableAlgorithms);
        Assert.Equal(65535, c.Lz4MaxDistance);
        Assert.Equal(16, c.Lz4MaxPclusterBlocks);
        Assert.Equal(262144, c.LzmaDictionarySize);
        Assert.Equal(15, c.DeflateWindowBits);
        Assert.Equal(19, c.ZstdWindowLog);
    }

    [Theory]
    [InlineData("deflate-w4k", 12)]
    [InlineData("deflate", 15)]
    public void DeflateWindow(string image, int bits) => Assert.Equal(bits, Load(image).DeflateWindowBits);

    [Fact]
    public void LegacyLz4ImageHasNoRecords()
    {
        var c = Load("lz4");
        Assert.Equal(1, c.AvailableAlgorithms);
        Assert.True(c.IsAvailable(Erofs.Accel.Decompression.CompressionAlgorithm.Lz4));
        Assert.False(c.IsAvailable(Erofs.Accel.Decompression.CompressionAlgorithm.Deflate));
    }

    [Fact]
    public void ZeroLengthRecordIsCorrupt()
    {
        var all = File.ReadAllBytes(TestCorpus.ImagePath("multi-alg"));
        var sb = Superblock.Parse(all.AsSpan(1024, 3072));
        long start = 1024 + sb.Size;
        var recs = all.AsSpan((int)start, CompressionConfigs.MaxRecordsBytes).ToArray();
        recs[0] = 0;
        recs[1] = 0;
        Assert.Throws<ErofsCorruptImageException>(() => CompressionConfigs.Parse(sb, recs, start));
    }

    [Fact]
    public void TruncatedRecordsAreCorrupt()
    {
        var all = File.ReadAllBytes(TestCorpus.ImagePath("multi-alg"));
        var sb = Superblock.Parse(all.AsSpan(1024, 3072));
        long start = 1024 + sb.Size;
        Assert.Throws<ErofsCorruptImageException>(() => CompressionConfigs.Parse(sb, all.AsSpan((int)start, 20), start));
    }
}
