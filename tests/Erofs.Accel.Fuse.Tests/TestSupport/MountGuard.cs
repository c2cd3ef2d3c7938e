using Erofs.Accel.Fuse.Tests.TestSupport.Interop;
using Erofs.Accel.Fuse.Transport;

namespace Erofs.Accel.Fuse.Tests.TestSupport;

/// <summary>
/// A temporary mount point plus a watchdog. A hung FUSE mount hangs every reader, so when the watchdog expires (or at
/// dispose, if anything is still mounted) it aborts the connection through fusectl and detaches the mount lazily: a
/// bug fails the test instead of hanging the run.
/// </summary>
internal sealed class MountGuard : IDisposable
{
    private readonly Timer _watchdog;
    private int _fired;

    public MountGuard(TimeSpan watchdog)
    {
        var directory = Directory.CreateTempSubdirectory("h3-fuse-");
        MountPoint = PathResolver.TryResolve(directory.FullName, out _) ?? directory.FullName;
        _watchdog = new Timer(_ => Fire(), null, watchdog, Timeout.InfiniteTimeSpan);
    }

    public string MountPoint { get; }

    /// <summary>True once the watchdog had to rescue a hung mount.</summary>
    public bool WatchdogFired => Volatile.Read(ref _fired) != 0;

    /// <summary>The FUSE mount currently on <see cref="MountPoint"/>, or null.</summary>
    public MountEntry? CurrentMount => FindFuseMount(MountPoint);

    public bool IsMounted => CurrentMount is not null;

    /// <summary>Skips the test unless it runs as root with /dev/fuse present.</summary>
    public static void RequireFuse()
    {
        if (!File.Exists("/dev/fuse") && !Path.Exists("/dev/fuse"))
            Assert.Skip("/dev/fuse is absent (no FUSE support in this kernel or container)");
        if (Libc.GetEffectiveUserId() != 0)
            Assert.Skip("mount tests need root (mount(2) and fusectl)");
    }

    /// <summary>Skips the test unless FUSE can be mounted and the kernel offers FUSE over io_uring (turning it on as root).</summary>
    public static void RequireTransport(FuseTransport transport)
    {
        RequireFuse();
        if (transport == FuseTransport.IoUring && !FuseUringSupport.TryEnable(out var reason)) Assert.Skip(reason);
    }

    public static MountEntry? FindFuseMount(string mountPoint)
    {
        var entry = MountTable.FindByMountPoint(mountPoint);
        return entry is not null && entry.FileSystemType.StartsWith("fuse", StringComparison.Ordinal) ? entry : null;
    }

    /// <summary>Waits (bounded) until nothing is mounted on the mount point.</summary>
    public bool WaitUntilUnmounted(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (IsMounted)
        {
            if (DateTime.UtcNow > deadline) return false;
            Thread.Sleep(50);
        }
        return true;
    }

    public void Dispose()
    {
        _watchdog.Dispose();
        Rescue();
        try
        {
            Directory.Delete(MountPoint);
        }
        catch (IOException)
        {
        }
    }

    private void Fire()
    {
        Interlocked.Exchange(ref _fired, 1);
        Rescue();
    }

    private void Rescue()
    {
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var entry = CurrentMount;
            if (entry is null) return;
            FuseConnectionControl.TryAbort(entry.Major, entry.Minor);
            Libc.Unmount2(MountPoint, Libc.MNT_DETACH);
        }
    }
}
