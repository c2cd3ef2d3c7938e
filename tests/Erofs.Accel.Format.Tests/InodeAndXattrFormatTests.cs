using System.Buffers.Binary;
using Erofs.Accel.Format;

namespace Erofs.Accel.Format.Tests;

public class InodeAndXattrFormatTests
{
    private static byte[] Compact(ushort format, ushort mode, ushort nb = 1, uint size = 10, uint u = 5)
    {
        var b = new byte[32];
        BinaryPrimitives.WriteUInt16LittleEndian(b, format);
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(4), mode);
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(6), nb);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(8), size);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(12), 7);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(16), u);
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(24), 1000);
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(26), 2000);
        return b;
    }

    [Fact]
    public void CompactInodeUsesEpochAndFixedNanoseconds()
    {
        var c = InodeCore.Parse(Compact(0x4, 0x81A4), 1_000_000, 42, 7, 0);
        Assert.Equal(DataLayout.FlatInline, c.Layout);
        Assert.Equal(InodeType.RegularFile, c.Type);
        Assert.Equal(1_000_007L, c.MtimeSeconds);
        Assert.Equal(42u, c.MtimeNanoseconds);
        Assert.Equal(1000u, c.Uid);
        Assert.Equal(1u, c.Nlink);
    }

    [Fact]
    public void Nlink1FormUsesNbAsHighAddressBits()
    {
        var c = InodeCore.Parse(Compact(0x10, 0x81A4, nb: 3), 0, 0, 1, 0);
        Assert.Equal(1u, c.Nlink);
        Assert.Equal((3UL << 32) | 5, c.WideU);
    }

    [Fact]
    public void DirectoryBit4IsDotOmittedNotNlink1()
    {
        var c = InodeCore.Parse(Compact(0x10, 0x41ED, nb: 4), 0, 0, 1, 0);
        Assert.True(c.DotOmitted);
        Assert.Equal(4u, c.Nlink);
        Assert.Equal(5UL, c.WideU);
    }

    [Fact]
    public void DeviceNumbersUseLinuxNewEncoding()
    {
        // major 4095, minor 1048575 (the corpus' largest)
        uint rdev = (1048575u & 0xFF) | ((4095u & 0xFFF) << 8) | ((1048575u & ~0xFFu) << 12);
        var c = InodeCore.Parse(Compact(0, 0x21A4, u: rdev), 0, 0, 1, 0);
        Assert.Equal(4095u, c.RdevMajor);
        Assert.Equal(1048575u, c.RdevMinor);
    }

    [Theory]
    [InlineData(0x0020)] // unknown format bit
    [InlineData(0x000A)] // data layout 5
    public void RejectsUnknownFormats(ushort format) =>
        Assert.Throws<ErofsUnsupportedFeatureException>(() => InodeCore.Parse(Compact(format, 0x81A4), 0, 0, 1, 0));

    [Fact]
    public void RejectsUnknownFileType() =>
        Assert.Throws<ErofsCorruptImageException>(() => InodeCore.Parse(Compact(0, 0xE1A4), 0, 0, 1, 0));

    [Fact]
    public void XattrInlineSizeFollowsIcount()
    {
        var b = Compact(0, 0x81A4);
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(2), 3);
        Assert.Equal(12 + 8, InodeCore.Parse(b, 0, 0, 1, 0).XattrInlineSize);
    }

    [Theory]
    [InlineData("user.foo", 1, "foo")]
    [InlineData("trusted.overlay.origin", 4, "overlay.origin")]
    [InlineData("security.capability", 6, "capability")]
    [InlineData("system.posix_acl_access", 2, "")]
    [InlineData("system.posix_acl_default", 3, "")]
    public void SplitsNamesLikeTheKernelHandlers(string name, int index, string rest)
    {
        Assert.True(XattrFormat.TrySplitName(System.Text.Encoding.UTF8.GetBytes(name), out int i, out var r));
        Assert.Equal(index, i);
        Assert.Equal(rest, System.Text.Encoding.UTF8.GetString(r));
    }

    [Theory]
    [InlineData("user.")]
    [InlineData("system.posix_acl_accessX")]
    [InlineData("other.name")]
    public void RefusesNamesNoHandlerTakes(string name) =>
        Assert.False(XattrFormat.TrySplitName(System.Text.Encoding.UTF8.GetBytes(name), out _, out _));

    [Fact]
    public void FilterBitsMatchTheCorpusAclInode()
    {
        // tar-index /acl/dflt stores filter 0xBFDFFFFF: exactly bits 30 (access ACL) and 21 (default ACL) clear
        Assert.Equal(30, XattrFormat.FilterBit(2, ReadOnlySpan<byte>.Empty));
        Assert.Equal(21, XattrFormat.FilterBit(3, ReadOnlySpan<byte>.Empty));
    }

    [Fact]
    public void ChunkIndexDecodesHolesDevicesAnd48BitAddresses()
    {
        var raw = new byte[8];
        BinaryPrimitives.WriteUInt16LittleEndian(raw, 0x12);
        BinaryPrimitives.WriteUInt16LittleEndian(raw.AsSpan(2), 5);
        BinaryPrimitives.WriteUInt32LittleEndian(raw.AsSpan(4), 0x100);
        var e = ChunkEntry.FromIndex(raw, is48Bit: true, deviceIdMask: 1);
        Assert.False(e.IsHole);
        Assert.Equal(1, e.Device);
        Assert.Equal((0x12UL << 32) | 0x100, e.StartBlock);
        Assert.Equal(0x100UL, ChunkEntry.FromIndex(raw, is48Bit: false, deviceIdMask: 1).StartBlock);
        BinaryPrimitives.WriteUInt32LittleEndian(raw.AsSpan(4), 0xFFFFFFFF);
        Assert.True(ChunkEntry.FromIndex(raw, is48Bit: false, deviceIdMask: 1).IsHole);
        Assert.True(ChunkEntry.FromBlockMap(raw.AsSpan(4)).IsHole);
    }
}
