using System.Buffers.Binary;
using Erofs.Accel.Format;
using Erofs.Accel.Testing;

namespace Erofs.Accel.Format.Tests;

public class SuperblockTests
{
    private static byte[] Region(string image)
    {
        var all = File.ReadAllBytes(TestCorpus.ImagePath(image));
        return all.AsSpan(1024, 4096 - 1024).ToArray();
    }

    /// <summary>Recomputes the checksum after a test changed a field.</summary>
    private static void Reseal(byte[] region, int blockBits = 12)
    {
        int len = Superblock.ChecksumLength(blockBits);
        BinaryPrimitives.WriteUInt32LittleEndian(region.AsSpan(4), 0);
        uint crc = Crc32C.Update(0xFFFFFFFF, region.AsSpan(0, len));
        BinaryPrimitives.WriteUInt32LittleEndian(region.AsSpan(4), crc);
    }

    [Fact]
    public void ParsesPlainImage()
    {
        var sb = Superblock.Parse(Region("plain-4k"));
        Assert.Equal(4096, sb.BlockSize);
        Assert.True(sb.ChecksumVerified);
        Assert.Equal(63UL, sb.RootNid);
        Assert.Equal(1700000000L, sb.Epoch);
        Assert.Equal(IncompatFeatures.None, sb.Incompat);
        Assert.Equal(CompatFeatures.SuperblockChecksum | CompatFeatures.Mtime | CompatFeatures.XattrFilter, sb.Compat);
        Assert.Equal(Guid.Parse("f9a392c7-10cf-422f-9e36-29905c7d773b"), sb.Uuid);
    }

    [Fact]
    public void ParsesMetaboxAnd48BitRoot()
    {
        var sb = Superblock.Parse(Region("lz4hc-metabox-zD"));
        Assert.True(sb.Has(IncompatFeatures.Metabox));
        Assert.Equal(1UL << 63, sb.RootNid);
        Assert.Equal(63UL, sb.MetaboxNid);
        Assert.Equal(144, sb.Size);
    }

    [Fact]
    public void RejectsBadMagicWithTheValue()
    {
        var r = Region("plain-4k");
        r[0] ^= 0xFF;
        var e = Assert.Throws<ErofsCorruptImageException>(() => Superblock.Parse(r));
        Assert.Contains("bad superblock magic", e.Message);
        Assert.Equal(1024, e.Offset);
    }

    [Fact]
    public void RejectsChecksumMismatch()
    {
        var r = Region("plain-4k");
        r[200] ^= 1; // inside the covered area
        var e = Assert.Throws<ErofsCorruptImageException>(() => Superblock.Parse(r));
        Assert.Contains("checksum mismatch", e.Message);
        // and accepts it when verification is off
        Assert.False(Superblock.Parse(r, verifyChecksum: false).ChecksumVerified);
    }

    [Theory]
    [InlineData(8)]
    [InlineData(17)]
    [InlineData(255)]
    public void RejectsUnsupportedBlockSizeNamingTheValue(int bits)
    {
        var r = Region("plain-4k");
        r[12] = (byte)bits;
        var e = Assert.Throws<ErofsUnsupportedFeatureException>(() => Superblock.Parse(r));
        Assert.Contains($"blkszbits {bits}", e.Message);
    }

    [Fact]
    public void RefusesUnknownIncompatibleFeatureByName()
    {
        var r = Region("plain-4k");
        BinaryPrimitives.WriteUInt32LittleEndian(r.AsSpan(80), 0x400);
        Reseal(r);
        var e = Assert.Throws<ErofsUnsupportedFeatureException>(() => Superblock.Parse(r));
        Assert.Contains("unknown bit 10 (0x400)", e.Message);
    }

    [Fact]
    public void NamesKnownFeatures()
    {
        Assert.Equal(new[] { "lz4_0padding", "compr_cfgs/big_pcluster", "48bit" },
            FeatureNames.Describe(IncompatFeatures.Lz4ZeroPadding | IncompatFeatures.CompressionConfigs | IncompatFeatures.Blocks48Bit));
        Assert.Equal(new[] { "sb_csum", "mtime", "xattr_filter" },
            FeatureNames.Describe(CompatFeatures.SuperblockChecksum | CompatFeatures.Mtime | CompatFeatures.XattrFilter));
    }

    [Fact]
    public void RejectsTruncatedRegion()
    {
        var r = Region("plain-4k").AsSpan(0, 100).ToArray();
        Assert.Throws<ErofsCorruptImageException>(() => Superblock.Parse(r));
    }

    [Fact]
    public void TarIndexUses512ByteBlocksAndItsShortChecksumArea()
    {
        var all = File.ReadAllBytes(TestCorpus.ImagePath("tar-index"));
        var sb = Superblock.Parse(all.AsSpan(1024, 512));
        Assert.Equal(512, sb.BlockSize);
        Assert.True(sb.ChecksumVerified);
        Assert.Equal(1, sb.ExtraDevices);
    }

    [Fact]
    public void ChecksumIsCrc32CWithoutFinalXor()
    {
        // CRC32C("123456789") is 0xE3069283 with the final xor; without it, the complement
        Assert.Equal(~0xE3069283u, Crc32C.Update(0xFFFFFFFF, "123456789"u8));
    }
}
