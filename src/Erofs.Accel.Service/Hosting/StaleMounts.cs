using Erofs.Accel.Fuse.Transport;
using Erofs.Accel.Interop;
using Microsoft.Extensions.Logging;

namespace Erofs.Accel.Service.Hosting;

/// <summary>
/// FUSE mounts whose server is gone (a daemon killed with SIGKILL): every access answers ENOTCONN and the path cannot
/// be mounted on again. The daemon records its mount points in a state file and, when it starts, detaches the ones
/// that are dead, with a log line; a mount that still answers is left alone.
/// </summary>
public static class StaleMounts
{
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(2);

    /// <summary>True when <paramref name="path"/> is a FUSE mount point whose server no longer answers.</summary>
    public static bool IsStale(string path)
    {
        var full = Path.GetFullPath(path).TrimEnd('/');
        if (full.Length == 0) full = "/";
        MountEntry? entry;
        try
        {
            entry = MountTable.FindByMountPoint(full);
        }
        catch (IOException)
        {
            return false;
        }
        if (entry is null || !entry.FileSystemType.StartsWith("fuse", StringComparison.Ordinal)) return false;
        // a server that is alive but does not answer in time is left alone
        var probe = Task.Run(() => StatFsError(full));
        return probe.Wait(ProbeTimeout) && probe.Result == Libc.ENOTCONN;
    }

    /// <summary>statfs(2) of a path: it always reaches a FUSE server (stat may be answered from the kernel's cache).</summary>
    private static unsafe int StatFsError(string path)
    {
        var buffer = stackalloc byte[Libc.StatFsBufferSize];
        return Libc.StatFs(path, buffer) == 0 ? 0 : Libc.LastErrno;
    }

    /// <summary>Detaches <paramref name="path"/> if it is a stale FUSE mount; true when it did.</summary>
    public static bool TryClean(string path, ILogger logger)
    {
        if (!IsStale(path)) return false;
        var full = Path.GetFullPath(path).TrimEnd('/');
        if (Libc.Unmount2(full, Libc.MNT_DETACH | Libc.UMOUNT_NOFOLLOW) != 0)
        {
            logger.LogError("stale mount {Path} (its server is gone) could not be detached: {Error}", full, Libc.Describe(Libc.LastErrno));
            return false;
        }
        logger.LogWarning("removed stale mount {Path}: its server is gone (a daemon that was killed without unmounting)", full);
        return true;
    }

    /// <summary>Reads the mount points recorded in <paramref name="stateFile"/> (one per line); none when it is absent.</summary>
    public static IReadOnlyList<string> ReadRecorded(string stateFile)
    {
        try
        {
            return File.ReadAllLines(stateFile).Where(l => l.StartsWith('/')).ToArray();
        }
        catch (FileNotFoundException)
        {
            return Array.Empty<string>();
        }
        catch (DirectoryNotFoundException)
        {
            return Array.Empty<string>();
        }
    }

    /// <summary>Records the mount points the daemon holds (written to a new file, then renamed over the old one).</summary>
    public static void Record(string stateFile, IEnumerable<string> mountPoints)
    {
        var temporary = stateFile + ".new";
        File.WriteAllLines(temporary, mountPoints);
        File.Move(temporary, stateFile, overwrite: true);
    }
}
