using System.Runtime.InteropServices;
using Erofs.Accel.Fuse.Protocol;
using Erofs.Accel.Interop;

namespace Erofs.Accel.Fuse.Tests.Protocol;

/// <summary>Every wire struct has the size and field offsets of include/uapi/linux/fuse.h.</summary>
public sealed class StructLayoutTests
{
    [Fact]
    public void StructSizesMatchTheKernelAbi()
    {
        Assert.Equal(40, Marshal.SizeOf<FuseInHeader>());
        Assert.Equal(16, Marshal.SizeOf<FuseOutHeader>());
        Assert.Equal(FuseNotifyInvalInodeOut.Size, Marshal.SizeOf<FuseNotifyInvalInodeOut>());
        Assert.Equal(88, Marshal.SizeOf<FuseAttr>());
        Assert.Equal(128, Marshal.SizeOf<FuseEntryOut>());
        Assert.Equal(104, Marshal.SizeOf<FuseAttrOut>());
        Assert.Equal(16, Marshal.SizeOf<FuseGetAttrIn>());
        Assert.Equal(64, Marshal.SizeOf<FuseInitIn>());
        Assert.Equal(64, Marshal.SizeOf<FuseInitOut>());
        Assert.Equal(8, Marshal.SizeOf<FuseOpenIn>());
        Assert.Equal(16, Marshal.SizeOf<FuseOpenOut>());
        Assert.Equal(40, Marshal.SizeOf<FuseReadIn>());
        Assert.Equal(24, Marshal.SizeOf<FuseReleaseIn>());
        Assert.Equal(8, Marshal.SizeOf<FuseGetXattrIn>());
        Assert.Equal(8, Marshal.SizeOf<FuseGetXattrOut>());
        Assert.Equal(80, Marshal.SizeOf<FuseStatFsOut>());
        Assert.Equal(8, Marshal.SizeOf<FuseAccessIn>());
        Assert.Equal(8, Marshal.SizeOf<FuseForgetIn>());
        Assert.Equal(8, Marshal.SizeOf<FuseBatchForgetIn>());
        Assert.Equal(16, Marshal.SizeOf<FuseForgetOne>());
        Assert.Equal(8, Marshal.SizeOf<FuseInterruptIn>());
        Assert.Equal(24, Marshal.SizeOf<FuseDirent>());
        Assert.Equal(16, Marshal.SizeOf<IoVector>());
    }

    [Fact]
    public void DeclaredSizeConstantsAgreeWithLayouts()
    {
        Assert.Equal(FuseInHeader.Size, Marshal.SizeOf<FuseInHeader>());
        Assert.Equal(FuseOutHeader.Size, Marshal.SizeOf<FuseOutHeader>());
        Assert.Equal(FuseAttr.Size, Marshal.SizeOf<FuseAttr>());
        Assert.Equal(FuseEntryOut.Size, Marshal.SizeOf<FuseEntryOut>());
        Assert.Equal(FuseAttrOut.Size, Marshal.SizeOf<FuseAttrOut>());
        Assert.Equal(FuseInitIn.Size, Marshal.SizeOf<FuseInitIn>());
        Assert.Equal(FuseInitOut.Size, Marshal.SizeOf<FuseInitOut>());
        Assert.Equal(FuseReadIn.Size, Marshal.SizeOf<FuseReadIn>());
        Assert.Equal(FuseStatFsOut.Size, Marshal.SizeOf<FuseStatFsOut>());
        Assert.Equal(FuseDirent.Size, Marshal.SizeOf<FuseDirent>());
    }

    [Fact]
    public void FieldOffsetsMatchTheKernelAbi()
    {
        Assert.Equal(4, Offset<FuseInHeader>(nameof(FuseInHeader.Opcode)));
        Assert.Equal(8, Offset<FuseInHeader>(nameof(FuseInHeader.Unique)));
        Assert.Equal(16, Offset<FuseInHeader>(nameof(FuseInHeader.NodeId)));
        Assert.Equal(36, Offset<FuseInHeader>(nameof(FuseInHeader.TotalExtensionLength)));
        Assert.Equal(4, Offset<FuseOutHeader>(nameof(FuseOutHeader.Error)));
        Assert.Equal(8, Offset<FuseOutHeader>(nameof(FuseOutHeader.Unique)));

        Assert.Equal(60, Offset<FuseAttr>(nameof(FuseAttr.Mode)));
        Assert.Equal(76, Offset<FuseAttr>(nameof(FuseAttr.DeviceNumber)));
        Assert.Equal(80, Offset<FuseAttr>(nameof(FuseAttr.BlockSize)));
        Assert.Equal(40, Offset<FuseEntryOut>(nameof(FuseEntryOut.Attr)));
        Assert.Equal(16, Offset<FuseAttrOut>(nameof(FuseAttrOut.Attr)));

        Assert.Equal(16, Offset<FuseInitIn>(nameof(FuseInitIn.Flags2)));
        Assert.Equal(16, Offset<FuseInitOut>(nameof(FuseInitOut.MaxBackground)));
        Assert.Equal(20, Offset<FuseInitOut>(nameof(FuseInitOut.MaxWrite)));
        Assert.Equal(28, Offset<FuseInitOut>(nameof(FuseInitOut.MaxPages)));
        Assert.Equal(32, Offset<FuseInitOut>(nameof(FuseInitOut.Flags2)));

        Assert.Equal(8, Offset<FuseReadIn>(nameof(FuseReadIn.Offset)));
        Assert.Equal(16, Offset<FuseReadIn>(nameof(FuseReadIn.Length)));
        Assert.Equal(8, Offset<FuseOpenOut>(nameof(FuseOpenOut.OpenFlags)));
        Assert.Equal(44, Offset<FuseStatFsOut>(nameof(FuseStatFsOut.NameLength)));
        Assert.Equal(16, Offset<FuseDirent>(nameof(FuseDirent.NameLength)));
        Assert.Equal(20, Offset<FuseDirent>(nameof(FuseDirent.Type)));
    }

    [Theory]
    [InlineData(1, 32, 160)]
    [InlineData(8, 32, 160)]
    [InlineData(9, 40, 168)]
    [InlineData(255, 280, 408)]
    public void DirentRecordsArePaddedToEightBytes(int nameLength, int plain, int plus)
    {
        Assert.Equal(plain, FuseDirent.RecordLength(nameLength));
        Assert.Equal(plus, FuseDirent.PlusRecordLength(nameLength));
    }

    private static int Offset<T>(string field) => (int)Marshal.OffsetOf<T>(field);
}
