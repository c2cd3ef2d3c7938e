using System.Text;
using Erofs.Accel.Fuse.Protocol;
using Erofs.Accel.Fuse.Tests.TestSupport;

namespace Erofs.Accel.Fuse.Tests.Server;

/// <summary>GETXATTR and LISTXATTR: size probes, values, ERANGE, ENODATA.</summary>
public sealed class DispatcherXattrTests
{
    [Fact]
    public void SizeProbeThenValue()
    {
        using var harness = new DispatcherHarness();
        var file = harness.NodeIdOf("files/f0005.bin");
        var probe = harness.Call(FuseOpcode.GetXattr, file, new FuseGetXattrIn { Length = 0 }, FuseMessages.Name("user.blob"));
        Assert.Equal(0, probe.Error);
        Assert.Equal(FuseGetXattrOut.Size, probe.Body.Length);
        Assert.Equal(300u, probe.Read<FuseGetXattrOut>().Length);

        var value = harness.Call(FuseOpcode.GetXattr, file, new FuseGetXattrIn { Length = 300 }, FuseMessages.Name("user.blob"));
        Assert.Equal(0, value.Error);
        Assert.True(value.Body.SequenceEqual(harness.FileSystem.Node("files/f0005.bin").ExtendedAttributes["user.blob"]));
    }

    [Fact]
    public void TooSmallBufferIsErangeAndMissingNameIsEnodata()
    {
        using var harness = new DispatcherHarness();
        var file = harness.NodeIdOf("files/f0005.bin");
        Assert.Equal(-(int)Errno.ERANGE, harness.Call(FuseOpcode.GetXattr, file, new FuseGetXattrIn { Length = 299 }, FuseMessages.Name("user.blob")).Error);
        Assert.Equal(-(int)Errno.ENODATA, harness.Call(FuseOpcode.GetXattr, file, new FuseGetXattrIn { Length = 100 }, FuseMessages.Name("user.none")).Error);
        Assert.Equal(-(int)Errno.EINVAL, harness.Call(FuseOpcode.GetXattr, file, new FuseGetXattrIn { Length = 100 }, "user.x"u8).Error);
    }

    [Fact]
    public void LargeValuesTravelWhole()
    {
        using var harness = new DispatcherHarness();
        var file = harness.NodeIdOf("files/f0003.bin");
        var value = harness.Call(FuseOpcode.GetXattr, file, new FuseGetXattrIn { Length = 65536 }, FuseMessages.Name("user.large"));
        Assert.Equal(20_000, value.Body.Length);
        Assert.True(value.Body.SequenceEqual(harness.FileSystem.Node("files/f0003.bin").ExtendedAttributes["user.large"]));
    }

    [Fact]
    public void ListIsNulSeparatedNames()
    {
        using var harness = new DispatcherHarness();
        var file = harness.NodeIdOf("files/f0005.bin");
        var probe = harness.Call(FuseOpcode.ListXattr, file, new FuseGetXattrIn { Length = 0 });
        Assert.Equal(21u, probe.Read<FuseGetXattrOut>().Length);
        var list = harness.Call(FuseOpcode.ListXattr, file, new FuseGetXattrIn { Length = 4096 });
        Assert.Equal("user.blob\0user.index\0", Encoding.UTF8.GetString(list.Body));
        Assert.Equal(-(int)Errno.ERANGE, harness.Call(FuseOpcode.ListXattr, file, new FuseGetXattrIn { Length = 20 }).Error);
        var none = harness.Call(FuseOpcode.ListXattr, harness.NodeIdOf("files/f0001.bin"), new FuseGetXattrIn { Length = 0 });
        Assert.Equal(0u, none.Read<FuseGetXattrOut>().Length);
    }

    [Fact]
    public void ListingTellsTheFileSystemWhoAsked()
    {
        using var harness = new DispatcherHarness(fileSystem: TestHost.SyntheticFileSystem.CreateDefault(4, 10));
        var file = harness.NodeIdOf("files/f0001.bin");
        var message = FuseMessages.Request(FuseOpcode.ListXattr, harness.NextUnique(), file, new FuseGetXattrIn { Length = 0 });
        // the header as the kernel fills it: fsuid, fsgid and the caller's thread id
        BitConverter.TryWriteBytes(message.AsSpan(24), 65534u);
        BitConverter.TryWriteBytes(message.AsSpan(28), 100u);
        BitConverter.TryWriteBytes(message.AsSpan(32), 31337u);
        Assert.Equal(0, harness.Call(message).Error);
        Assert.Equal(new RequestCaller(65534, 100, 31337), harness.FileSystem.LastListCaller);
    }
}
