using System.Runtime.InteropServices;
using Erofs.Accel.Fuse.Protocol;
using Erofs.Accel.Fuse.TestHost;
using Erofs.Accel.Fuse.Tests.TestSupport;

namespace Erofs.Accel.Fuse.Tests.Mount;

/// <summary>Invalidations sent to the kernel (FUSE_NOTIFY_INVAL_ENTRY and _INODE) for trees that change while mounted.</summary>
[Collection(FuseMountCollection.Name)]
public sealed class NotificationTests
{
    [Fact]
    public void NotificationStructsHaveTheKernelLayout()
    {
        Assert.Equal(FuseNotifyInvalidateEntryOut.Size, Marshal.SizeOf<FuseNotifyInvalidateEntryOut>());
        Assert.Equal(FuseNotifyInvalidateInodeOut.Size, Marshal.SizeOf<FuseNotifyInvalidateInodeOut>());
        Assert.Equal(16, FuseNotifyInvalidateEntryOut.Size);
        Assert.Equal(24, FuseNotifyInvalidateInodeOut.Size);
        Assert.Equal(FuseNotifyStoreOut.Size, Marshal.SizeOf<FuseNotifyStoreOut>());
        Assert.Equal(24, FuseNotifyStoreOut.Size);
    }

    [Fact]
    public void TheKernelAcceptsInvalidationsOfCachedMissingAndUnknownNames()
    {
        using var mount = new MountedSynthetic();
        Assert.True(Directory.Exists(mount.PathOf("files")));
        Assert.False(File.Exists(mount.PathOf("no-such-name"))); // cached as missing
        var root = SyntheticFileSystem.RootInodeNumber;
        Assert.Equal(Errno.Success, mount.Server.InvalidateEntry(root, "files"u8));
        Assert.Equal(Errno.Success, mount.Server.InvalidateEntry(root, "no-such-name"u8));
        Assert.Equal(Errno.Success, mount.Server.InvalidateEntry(root, "never-looked-up"u8));
        Assert.Equal(Errno.Success, mount.Server.InvalidateNode(root));
        Assert.Equal(Errno.EINVAL, mount.Server.InvalidateEntry(root, "a/b"u8));
        // the tree still answers afterwards (looked up again)
        Assert.True(Directory.Exists(mount.PathOf("files")));
        Assert.Equal(0, mount.Logger.Count(Microsoft.Extensions.Logging.LogLevel.Error));
    }
}
