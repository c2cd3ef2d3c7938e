using Erofs.Accel.Interop;

namespace Erofs.Accel.Service.Hosting;

/// <summary>Unmounting a mount point the daemon does not serve (a standalone <c>erofs-accel mount</c>).</summary>
public static class MountPoints
{
    /// <summary>umount2 (MNT_DETACH when <paramref name="lazy"/>); null on success, else a one-line reason.</summary>
    public static string? Unmount(string mountPoint, bool lazy)
    {
        if (Libc.Unmount2(mountPoint, Libc.UMOUNT_NOFOLLOW | (lazy ? Libc.MNT_DETACH : 0)) == 0) return null;
        var errno = Libc.LastErrno;
        return errno switch
        {
            Libc.EBUSY => $"{mountPoint} is busy: files are open there; close them or use --force",
            Libc.EINVAL => $"{mountPoint} is not a mount point",
            Libc.ENOENT => $"{mountPoint}: no such directory",
            Libc.EPERM => $"{mountPoint}: permission denied (unmounting needs root; a user's own FUSE mount: fusermount3 -u {mountPoint})",
            _ => $"{mountPoint}: {Libc.Describe(errno)}",
        };
    }
}
