using Erofs.Accel.Interop;

namespace Erofs.Accel.Fuse.Transport;

/// <summary>
/// A FUSE mount whose server is gone (killed with SIGKILL, crashed): the mount point stays in the mount table and
/// every access to it fails with ENOTCONN until someone unmounts it. One of our own type is cleared by the next
/// mount on that point; any other is reported with the command that clears it.
/// </summary>
internal static class StaleMount
{
    /// <summary>
    /// Called for a mount point that cannot be resolved because of ENOTCONN, or whose FUSE mount <see cref="IsDead"/>. Returns true after clearing a dead mount of
    /// <paramref name="ownType"/> (the caller then validates the path again); throws a one-line
    /// <see cref="FuseMountException"/> for a dead mount of another type.
    /// </summary>
    public static bool TryClear(string path, string ownType, out string? cleared)
    {
        cleared = null;
        var absolute = AbsoluteWithResolvedParent(path);
        MountEntry? entry;
        try
        {
            entry = MountTable.FindByMountPoint(absolute);
        }
        catch (IOException)
        {
            entry = null;
        }
        if (entry is null || !entry.FileSystemType.StartsWith("fuse", StringComparison.Ordinal))
            throw new FuseMountException($"mount point {path}: {Libc.Describe(Errno.ENOTCONN)}", Errno.ENOTCONN);
        if (entry.FileSystemType != ownType)
        {
            throw new FuseMountException(
                $"mount point {path} holds a dead FUSE mount ({entry.FileSystemType} of {entry.Source}) whose server is gone: " +
                $"clear it with 'umount -l {absolute}' (or 'fusermount3 -uz {absolute}'), then mount again", Errno.ENOTCONN);
        }
        var error = Unmounter.Unmount(absolute, lazy: true);
        if (error != Errno.Success)
        {
            throw new FuseMountException(
                $"mount point {path} holds a dead {ownType} mount of {entry.Source} and clearing it failed ({Libc.Describe(error)}): " +
                $"run 'umount -l {absolute}' as root", error);
        }
        cleared = entry.Source;
        return true;
    }

    /// <summary>
    /// True when the FUSE mount on <paramref name="mountPoint"/> has lost its server: statfs fails with ENOTCONN.
    /// (stat and open may still succeed from the kernel's caches.) A server that does not answer within
    /// <paramref name="timeout"/> counts as alive.
    /// </summary>
    public static unsafe bool IsDead(string mountPoint, TimeSpan timeout)
    {
        var probe = Task.Run(() =>
        {
            var buffer = stackalloc byte[Libc.StatFsBufferSize];
            return Libc.StatFs(mountPoint, buffer) == 0 ? Errno.Success : Libc.LastError;
        });
        return probe.Wait(timeout) && probe.Result == Errno.ENOTCONN;
    }

    /// <summary>The path made absolute with its parent resolved (the last component cannot be: it is the dead mount).</summary>
    private static string AbsoluteWithResolvedParent(string path)
    {
        var full = Path.GetFullPath(path).TrimEnd('/');
        if (full.Length == 0) return "/";
        var parent = Path.GetDirectoryName(full);
        if (parent is null) return full;
        var resolvedParent = PathResolver.TryResolve(parent, out _);
        return resolvedParent is null ? full : Path.Combine(resolvedParent, Path.GetFileName(full));
    }
}
