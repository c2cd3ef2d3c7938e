using Erofs.Accel.Fuse.TestHost;
using Erofs.Accel.Fuse.Tests.TestSupport;
using Erofs.Accel.Fuse.Transport;
using SystemLibc = Erofs.Accel.Interop.Libc;

namespace Erofs.Accel.Fuse.Tests.Mount;

/// <summary>
/// A FUSE mount whose server is gone (what SIGKILL leaves without auto-unmount): ours is cleared by the next mount on
/// that point, another filesystem's is reported with the command that clears it.
/// </summary>
[Collection(FuseMountCollection.Name)]
public sealed class StaleMountTests
{
    /// <summary>Mounts a FUSE filesystem of <paramref name="type"/> with mount(2) and closes its /dev/fuse descriptor
    /// without serving it: the kernel aborts the connection and the mount point answers ENOTCONN.</summary>
    private static void MakeDeadMount(string mountPoint, string type)
    {
        int fd = SystemLibc.Open("/dev/fuse", SystemLibc.O_RDWR | SystemLibc.O_CLOEXEC);
        Assert.True(fd >= 0, "cannot open /dev/fuse");
        try
        {
            int rc = SystemLibc.Mount("dead-source", mountPoint, type, SystemLibc.MS_RDONLY | SystemLibc.MS_NOSUID | SystemLibc.MS_NODEV,
                $"fd={fd},rootmode=40000,user_id=0,group_id=0");
            Assert.True(rc == 0, $"mount(2) failed: {SystemLibc.Describe(SystemLibc.LastErrno)}");
        }
        finally
        {
            SystemLibc.Close(fd);
        }
    }

    [Fact]
    public void OurDeadMountIsClearedByTheNextMount()
    {
        MountGuard.RequireFuse();
        using var guard = new MountGuard(TimeSpan.FromSeconds(120));
        MakeDeadMount(guard.MountPoint, "fuse.erofs-accel");
        Assert.True(StaleMount.IsDead(guard.MountPoint, TimeSpan.FromSeconds(5)));
        var logger = new CollectingLogger();
        using var server = FuseServer.Mount(SyntheticFileSystem.CreateDefault(3, 3), new FuseServerOptions { MountPoint = guard.MountPoint, Logger = logger });
        Assert.True(server.WaitUntilReady(TimeSpan.FromSeconds(20)));
        Assert.Contains(logger.Entries, m => m.Message.Contains("cleared a dead fuse.erofs-accel mount of dead-source"));
        Assert.Single(MountTable.Read(), e => e.MountPoint == guard.MountPoint);
        Assert.False(StaleMount.IsDead(guard.MountPoint, TimeSpan.FromSeconds(5)));
        server.Unmount();
        Assert.False(guard.IsMounted);
    }

    [Fact]
    public void AnotherFilesystemsDeadMountIsReportedWithTheFix()
    {
        MountGuard.RequireFuse();
        using var guard = new MountGuard(TimeSpan.FromSeconds(120));
        MakeDeadMount(guard.MountPoint, "fuse.sshfs-like");
        var e = Assert.Throws<FuseMountException>(() =>
            FuseServer.Mount(SyntheticFileSystem.CreateDefault(3, 3), new FuseServerOptions { MountPoint = guard.MountPoint }));
        Assert.Contains("holds a dead FUSE mount (fuse.sshfs-like of dead-source) whose server is gone", e.Message);
        Assert.Contains($"umount -l {guard.MountPoint}", e.Message);
        Assert.Equal(Errno.ENOTCONN, e.Errno);
        Assert.True(guard.IsMounted, "another filesystem's mount must be left alone");
        Assert.Equal(0, SystemLibc.Unmount2(guard.MountPoint, SystemLibc.MNT_DETACH));
    }

    [Fact]
    public void ALiveMountIsNeitherDeadNorCleared()
    {
        using var mount = new MountedSynthetic();
        Assert.False(StaleMount.IsDead(mount.Root, TimeSpan.FromSeconds(5)));
        var e = Assert.Throws<FuseMountException>(() =>
            FuseServer.Mount(SyntheticFileSystem.CreateDefault(3, 3), new FuseServerOptions { MountPoint = mount.Root }));
        Assert.Contains("busy", e.Message);
        mount.UnmountAndVerify();
    }
}
