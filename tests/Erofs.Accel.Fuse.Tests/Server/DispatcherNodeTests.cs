using Erofs.Accel.Fuse.Protocol;
using Erofs.Accel.Fuse.Server;
using Erofs.Accel.Fuse.TestHost;
using Erofs.Accel.Fuse.Tests.TestSupport;

namespace Erofs.Accel.Fuse.Tests.Server;

/// <summary>LOOKUP, GETATTR, READLINK, STATFS, ACCESS through the dispatcher, checked field by field.</summary>
public sealed class DispatcherNodeTests
{
    [Fact]
    public void LookupAnswersEntryWithAttributesAndTimeouts()
    {
        using var harness = new DispatcherHarness();
        var filesNode = harness.NodeIdOf("files");
        var reply = harness.Call(FuseOpcode.Lookup, filesNode, FuseMessages.Name("f0011.bin"));
        Assert.Equal(0, reply.Error);
        Assert.Equal(FuseEntryOut.Size, reply.Body.Length);
        var entry = reply.Read<FuseEntryOut>();
        var node = harness.FileSystem.Node("files/f0011.bin");
        Assert.Equal(node.Inode + 2, entry.NodeId);
        Assert.Equal(86400UL, entry.EntryValidSeconds);
        Assert.Equal(86400UL, entry.AttrValidSeconds);
        Assert.Equal(node.Inode, entry.Attr.Inode);
        Assert.Equal((ulong)node.Size, entry.Attr.FileSize);
        Assert.Equal(((ulong)node.Size + 511) / 512, entry.Attr.Blocks);
        Assert.Equal(node.Mode, entry.Attr.Mode);
        Assert.Equal(1000u, entry.Attr.UserId);
        Assert.Equal((ulong)node.ModificationTime, entry.Attr.ModificationTime);
        Assert.Equal(node.ModificationTimeNanoseconds, entry.Attr.ModificationTimeNanoseconds);
        Assert.Equal(4096u, entry.Attr.BlockSize);
    }

    [Fact]
    public void MissingNamesAreCachedNegativeEntries()
    {
        using var harness = new DispatcherHarness();
        var reply = harness.Call(FuseOpcode.Lookup, NodeIdMap.RootNodeId, FuseMessages.Name("nope"));
        Assert.Equal(0, reply.Error);
        var entry = reply.Read<FuseEntryOut>();
        Assert.Equal(0UL, entry.NodeId);
        Assert.Equal(86400UL, entry.EntryValidSeconds);
    }

    [Fact]
    public void WithoutNegativeCachingMissingNamesAreEnoent()
    {
        using var harness = new DispatcherHarness(new FuseServerOptions { MountPoint = "/unused", NegativeLookupTimeout = TimeSpan.Zero });
        var reply = harness.Call(FuseOpcode.Lookup, NodeIdMap.RootNodeId, FuseMessages.Name("nope"));
        Assert.Equal(-(int)Errno.ENOENT, reply.Error);
        Assert.Equal(0, reply.Body.Length);
    }

    [Fact]
    public void LookupInAFileIsEnotdirAndUnknownNodesAreEnoent()
    {
        using var harness = new DispatcherHarness();
        var file = harness.NodeIdOf("files/f0001.bin");
        Assert.Equal(-(int)Errno.ENOTDIR, harness.Call(FuseOpcode.Lookup, file, FuseMessages.Name("x")).Error);
        Assert.Equal(-(int)Errno.ENOENT, harness.Call(FuseOpcode.GetAttr, 0, new byte[16]).Error);
        Assert.Equal(-(int)Errno.ENOENT, harness.Call(FuseOpcode.GetAttr, 999_999_999, new byte[16]).Error);
    }

    [Fact]
    public void GetAttrOfRootUsesTheFilesystemsRootInode()
    {
        using var harness = new DispatcherHarness();
        var reply = harness.Call(FuseOpcode.GetAttr, NodeIdMap.RootNodeId, new FuseGetAttrIn());
        Assert.Equal(0, reply.Error);
        Assert.Equal(FuseAttrOut.Size, reply.Body.Length);
        var attr = reply.Read<FuseAttrOut>();
        Assert.Equal(SyntheticFileSystem.RootInodeNumber, attr.Attr.Inode);
        Assert.Equal(0x41EDu, attr.Attr.Mode);
        Assert.Equal(86400UL, attr.AttrValidSeconds);
    }

    [Fact]
    public void DeviceNodesCarryTheirDeviceNumber()
    {
        using var harness = new DispatcherHarness();
        var reply = harness.Call(FuseOpcode.GetAttr, harness.NodeIdOf("special/chardev"), new FuseGetAttrIn());
        Assert.Equal(0x103u, reply.Read<FuseAttrOut>().Attr.DeviceNumber);
        Assert.Equal(0x21A4u, reply.Read<FuseAttrOut>().Attr.Mode);
    }

    [Fact]
    public void ReadLinkAnswersTheTargetWithoutTerminator()
    {
        using var harness = new DispatcherHarness();
        var reply = harness.Call(FuseOpcode.ReadLink, harness.NodeIdOf("links/relative"));
        Assert.Equal(0, reply.Error);
        Assert.True(reply.Body.SequenceEqual("../files/f0001.bin"u8));
        var longLink = harness.Call(FuseOpcode.ReadLink, harness.NodeIdOf("links/long"));
        Assert.Equal(3203, longLink.Body.Length);
        Assert.Equal(-(int)Errno.EINVAL, harness.Call(FuseOpcode.ReadLink, harness.NodeIdOf("files/f0001.bin")).Error);
    }

    [Fact]
    public void StatFsReportsTotalsAndNoFreeSpace()
    {
        using var harness = new DispatcherHarness();
        var reply = harness.Call(FuseOpcode.StatFs, NodeIdMap.RootNodeId);
        Assert.Equal(FuseStatFsOut.Size, reply.Body.Length);
        var statfs = reply.Read<FuseStatFsOut>();
        var expected = harness.FileSystem.GetStatistics();
        Assert.Equal(expected.TotalBlocks, statfs.Blocks);
        Assert.Equal(expected.TotalInodes, statfs.Files);
        Assert.Equal(0UL, statfs.BlocksFree);
        Assert.Equal(0UL, statfs.BlocksAvailable);
        Assert.Equal(0UL, statfs.FilesFree);
        Assert.Equal(4096u, statfs.BlockSize);
        Assert.Equal(4096u, statfs.FragmentSize);
        Assert.Equal(255u, statfs.NameLength);
    }

    [Fact]
    public void AccessRefusesWritingOnly()
    {
        using var harness = new DispatcherHarness();
        var file = harness.NodeIdOf("files/f0001.bin");
        Assert.Equal(0, harness.Call(FuseOpcode.Access, file, new FuseAccessIn { Mask = 4 }).Error);
        Assert.Equal(0, harness.Call(FuseOpcode.Access, file, new FuseAccessIn { Mask = 1 }).Error);
        Assert.Equal(-(int)Errno.EROFS, harness.Call(FuseOpcode.Access, file, new FuseAccessIn { Mask = 2 }).Error);
    }
}
