using Erofs.Accel.Fuse.Protocol;

namespace Erofs.Accel.Fuse.Tests.Protocol;

public sealed class OpcodeTableTests
{
    [Theory]
    [InlineData((uint)FuseOpcode.Lookup)]
    [InlineData((uint)FuseOpcode.GetAttr)]
    [InlineData((uint)FuseOpcode.ReadLink)]
    [InlineData((uint)FuseOpcode.Open)]
    [InlineData((uint)FuseOpcode.Read)]
    [InlineData((uint)FuseOpcode.Release)]
    [InlineData((uint)FuseOpcode.OpenDir)]
    [InlineData((uint)FuseOpcode.ReadDir)]
    [InlineData((uint)FuseOpcode.ReadDirPlus)]
    [InlineData((uint)FuseOpcode.ReleaseDir)]
    [InlineData((uint)FuseOpcode.GetXattr)]
    [InlineData((uint)FuseOpcode.ListXattr)]
    [InlineData((uint)FuseOpcode.StatFs)]
    [InlineData((uint)FuseOpcode.Access)]
    [InlineData((uint)FuseOpcode.Init)]
    [InlineData((uint)FuseOpcode.Destroy)]
    public void ImplementedOpcodesAreHandled(uint opcode) =>
        Assert.Equal(OpcodeDisposition.Handled, FuseOpcodeTable.Get((FuseOpcode)opcode).Disposition);

    [Theory]
    [InlineData((uint)FuseOpcode.Forget)]
    [InlineData((uint)FuseOpcode.BatchForget)]
    [InlineData((uint)FuseOpcode.Interrupt)]
    [InlineData((uint)FuseOpcode.NotifyReply)]
    public void ForgetAndInterruptAreNeverAnswered(uint opcode) =>
        Assert.Equal(OpcodeDisposition.NoReply, FuseOpcodeTable.Get((FuseOpcode)opcode).Disposition);

    [Theory]
    [InlineData((uint)FuseOpcode.SetAttr)]
    [InlineData((uint)FuseOpcode.Symlink)]
    [InlineData((uint)FuseOpcode.MakeNode)]
    [InlineData((uint)FuseOpcode.MakeDirectory)]
    [InlineData((uint)FuseOpcode.Unlink)]
    [InlineData((uint)FuseOpcode.RemoveDirectory)]
    [InlineData((uint)FuseOpcode.Rename)]
    [InlineData((uint)FuseOpcode.Rename2)]
    [InlineData((uint)FuseOpcode.Link)]
    [InlineData((uint)FuseOpcode.Write)]
    [InlineData((uint)FuseOpcode.SetXattr)]
    [InlineData((uint)FuseOpcode.RemoveXattr)]
    [InlineData((uint)FuseOpcode.Create)]
    [InlineData((uint)FuseOpcode.FAllocate)]
    [InlineData((uint)FuseOpcode.CopyFileRange)]
    [InlineData((uint)FuseOpcode.TmpFile)]
    public void WritesAreReadOnlyErrors(uint opcode) =>
        Assert.Equal(OpcodeDisposition.ReadOnly, FuseOpcodeTable.Get((FuseOpcode)opcode).Disposition);

    [Theory]
    [InlineData((uint)FuseOpcode.Statx)]
    [InlineData((uint)FuseOpcode.Flush)]
    [InlineData((uint)FuseOpcode.FSync)]
    [InlineData((uint)FuseOpcode.LSeek)]
    [InlineData((uint)FuseOpcode.IoCtl)]
    [InlineData((uint)FuseOpcode.Poll)]
    [InlineData((uint)FuseOpcode.GetLock)]
    [InlineData((uint)7)]
    [InlineData((uint)19)]
    [InlineData((uint)53)]
    [InlineData((uint)4096)]
    [InlineData((uint)uint.MaxValue)]
    public void EverythingElseIsNotImplemented(uint opcode) =>
        Assert.Equal(OpcodeDisposition.NotImplemented, FuseOpcodeTable.Get((FuseOpcode)opcode).Disposition);

    [Fact]
    public void MinimumPayloadsCoverTheStructsEachHandlerReads()
    {
        Assert.Equal(FuseReadIn.Size, FuseOpcodeTable.Get(FuseOpcode.Read).MinimumPayload);
        Assert.Equal(FuseReadIn.Size, FuseOpcodeTable.Get(FuseOpcode.ReadDirPlus).MinimumPayload);
        Assert.Equal(FuseGetAttrIn.Size, FuseOpcodeTable.Get(FuseOpcode.GetAttr).MinimumPayload);
        Assert.Equal(FuseInitIn.CompatSize, FuseOpcodeTable.Get(FuseOpcode.Init).MinimumPayload);
        Assert.True(FuseOpcodeTable.Get(FuseOpcode.GetXattr).MinimumPayload > FuseGetXattrIn.Size);
        Assert.Equal("READDIRPLUS", FuseOpcodeTable.Get(FuseOpcode.ReadDirPlus).Name);
    }
}
