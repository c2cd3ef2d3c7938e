using Erofs.Accel.Fuse.Transport;
using Erofs.Accel.Interop;
using Microsoft.Extensions.Logging;

namespace Erofs.Accel.Fuse;

/// <summary>Checks on the mount point before mounting, and finding our mount in the mount table.</summary>
public sealed partial class FuseServer
{
    private static MountEntry? FindFuseMount(string mountPoint)
    {
        try
        {
            var entry = MountTable.FindByMountPoint(mountPoint);
            return entry is not null && entry.FileSystemType.StartsWith("fuse", StringComparison.Ordinal) ? entry : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static string ValidateMountPoint(string path, string ownType, ILogger logger)
    {
        if (string.IsNullOrWhiteSpace(path)) throw new FuseMountException("no mount point given", Errno.EINVAL);
        var resolved = PathResolver.TryResolve(path, out var error);
        string? cleared;
        if (resolved is null && error == Errno.ENOTCONN && StaleMount.TryClear(path, ownType, out cleared))
        {
            logger.LogWarning("FUSE: cleared a dead {Type} mount of {Source} left on {MountPoint} by a server that is gone", ownType, cleared, path);
            resolved = PathResolver.TryResolve(path, out error);
        }
        if (resolved is null)
        {
            throw error == Errno.ENOENT
                ? new FuseMountException($"mount point {path} does not exist", error)
                : new FuseMountException($"mount point {path}: {Libc.Describe(error)}", error);
        }
        // a dead FUSE mount (its server is gone) fails every stat with ENOTCONN: clear it when it is ours, else say how
        if (FindFuseMount(resolved) is not null && StaleMount.IsDead(resolved, TimeSpan.FromSeconds(2))
            && StaleMount.TryClear(path, ownType, out cleared))
        {
            logger.LogWarning("FUSE: cleared a dead {Type} mount of {Source} left on {MountPoint} by a server that is gone", ownType, cleared, path);
        }
        if (!Directory.Exists(resolved)) throw new FuseMountException($"mount point {path} is not a directory", Errno.ENOTDIR);
        if (!Path.Exists(FuseDevice.DevicePath))
            throw new FuseMountException($"{FuseDevice.DevicePath} is missing (is the fuse module loaded?)", Errno.ENODEV);
        if (MountTable.IsMountPoint(resolved))
            throw new FuseMountException($"mount point {path} is busy: something is already mounted there", Errno.EBUSY);
        return resolved;
    }
}
