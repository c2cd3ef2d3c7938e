using Erofs.Accel.Fuse.TestHost;
using Erofs.Accel.Fuse.Tests.TestSupport;
using Erofs.Accel.Fuse.Tests.TestSupport.Interop;
using Erofs.Accel.Fuse.Transport;

namespace Erofs.Accel.Fuse.Tests.Mount;

/// <summary>Mount errors, unmount from outside, busy unmount, the fusermount3 path.</summary>
[Collection(FuseMountCollection.Name)]
public sealed class MountLifecycleTests
{
    [Theory]
    [MemberData(nameof(Transports.Both), MemberType = typeof(Transports))]
    public void UmountFromOutsideEndsTheServer(FuseTransport transport)
    {
        using var mount = new MountedSynthetic(transport: transport);
        Assert.Empty(File.ReadAllBytes(mount.PathOf("files/f0000.bin")));
        Assert.Equal(0, Libc.Unmount2(mount.Root, 0));
        Assert.True(Waits.Completed(mount.Server.Completion, TimeSpan.FromSeconds(20)), "server still running after umount");
        Assert.False(mount.Guard.IsMounted);
        mount.Server.Unmount(); // harmless afterwards
    }

    [Theory]
    [MemberData(nameof(Transports.Both), MemberType = typeof(Transports))]
    public void BusyMountIsDetachedLazilyAndTheSessionEnds(FuseTransport transport)
    {
        using var mount = new MountedSynthetic(unmountGrace: TimeSpan.FromSeconds(1), transport: transport);
        using var open = File.OpenHandle(mount.PathOf("files/f0010.bin"));
        var buffer = new byte[100];
        Assert.Equal(100, RandomAccess.Read(open, buffer, 5));
        mount.Server.Unmount();
        Assert.False(mount.Guard.IsMounted, "the busy mount must be gone from the namespace");
        Assert.True(Waits.Completed(mount.Server.Completion, TimeSpan.FromSeconds(20)), "the session must end (abort after the grace period)");
        Assert.ThrowsAny<IOException>(() => RandomAccess.Read(open, buffer, 1 << 20));
    }

    [Fact]
    public void MissingMountPointFailsBeforeMounting()
    {
        MountGuard.RequireFuse();
        var missing = Path.Combine(Path.GetTempPath(), "h3-missing-" + Guid.NewGuid().ToString("N"));
        var error = Assert.Throws<FuseMountException>(() => FuseServer.Mount(DispatcherHarness.Shared, new FuseServerOptions { MountPoint = missing }));
        Assert.Contains("does not exist", error.Message);
        Assert.DoesNotContain('\n', error.Message);
        Assert.Equal(Errno.ENOENT, error.Errno);
    }

    [Fact]
    public void FileAsMountPointFailsBeforeMounting()
    {
        MountGuard.RequireFuse();
        var file = Path.GetTempFileName();
        try
        {
            var error = Assert.Throws<FuseMountException>(() => FuseServer.Mount(DispatcherHarness.Shared, new FuseServerOptions { MountPoint = file }));
            Assert.Contains("not a directory", error.Message);
            Assert.Null(MountGuard.FindFuseMount(file));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [MemberData(nameof(Transports.Both), MemberType = typeof(Transports))]
    public void BusyMountPointFailsAndLeavesTheExistingMountAlone(FuseTransport transport)
    {
        using var mount = new MountedSynthetic(transport: transport);
        var error = Assert.Throws<FuseMountException>(() =>
            FuseServer.Mount(SyntheticFileSystem.CreateDefault(3, 3), new FuseServerOptions { MountPoint = mount.Root }));
        Assert.Contains("busy", error.Message);
        Assert.Equal(Errno.EBUSY, error.Errno);
        Assert.Single(MountTable.Read(), e => e.MountPoint == mount.Root);
        Assert.Equal(600, Directory.GetFiles(mount.PathOf("many")).Length);
        mount.UnmountAndVerify();
    }

    [Theory]
    [MemberData(nameof(Transports.Both), MemberType = typeof(Transports))]
    public void FusermountPathMountsReadsAndUnmounts(FuseTransport transport)
    {
        MountGuard.RequireFuse();
        if (FusermountMounter.FindProgram() is null) Assert.Skip("fusermount3 is not installed (Debian package fuse3)");
        using var mount = new MountedSynthetic(method: FuseMountMethod.Fusermount, transport: transport);
        Assert.Equal(FuseMountMethod.Fusermount, mount.Server.Method);
        Assert.StartsWith("fuse.erofs-accel", mount.Guard.CurrentMount!.FileSystemType);
        var node = mount.FileSystem.Node("files/f0010.bin");
        Assert.Equal(SyntheticContent.Range(node.Inode, 0, (int)node.Size), File.ReadAllBytes(mount.PathOf("files/f0010.bin")));
        mount.UnmountAndVerify();
    }

    [Fact]
    public void AutomaticTransportPicksIoUringWithEitherMountMethod()
    {
        MountGuard.RequireTransport(FuseTransport.IoUring);
        using (var mount = new MountedSynthetic(transport: FuseTransport.Automatic, expectTransport: FuseTransport.IoUring))
        {
            Assert.Null(mount.Server.TransportNote);
            Assert.Equal(7, Directory.GetFileSystemEntries(mount.Root).Length);
            mount.UnmountAndVerify();
        }
        if (FusermountMounter.FindProgram() is null) Assert.Skip("fusermount3 is not installed (Debian package fuse3)");
        using (var mount = new MountedSynthetic(method: FuseMountMethod.Fusermount, transport: FuseTransport.Automatic, expectTransport: FuseTransport.IoUring))
        {
            Assert.Equal(7, Directory.GetFileSystemEntries(mount.Root).Length);
            mount.UnmountAndVerify();
        }
    }

    [Theory]
    [MemberData(nameof(Transports.Both), MemberType = typeof(Transports))]
    public void DisposeUnmounts(FuseTransport transport)
    {
        MountGuard.RequireTransport(transport);
        using var guard = new MountGuard(TimeSpan.FromSeconds(60));
        var server = FuseServer.Mount(SyntheticFileSystem.CreateDefault(3, 3), new FuseServerOptions { MountPoint = guard.MountPoint, Transport = transport });
        Assert.True(server.WaitUntilReady(TimeSpan.FromSeconds(20)));
        Assert.Equal(transport, server.ActiveTransport);
        Assert.True(guard.IsMounted);
        server.Dispose();
        Assert.False(guard.IsMounted);
        Assert.True(server.Completion.IsCompleted);
    }
}
