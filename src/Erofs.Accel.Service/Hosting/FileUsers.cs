using System.Globalization;
using Erofs.Accel.Interop;

namespace Erofs.Accel.Service.Hosting;

/// <summary>
/// Who keeps files of a FUSE mount in use, as fuser(1) would find them, but by device and inode number rather than
/// path (processes in containers see the mount under other paths): open descriptors, working and root directories and
/// mapped files of every process, and bind mounts of part of the mount in any mount namespace. Status comes from the
/// kernel's cached attributes (AT_STATX_DONT_SYNC), so a hung filesystem elsewhere cannot stall the scan.
/// </summary>
public static class FileUsers
{
    /// <summary>
    /// Up to <paramref name="limit"/> one-line descriptions of uses of the mount with device
    /// <paramref name="major"/>:<paramref name="minor"/> whose inode satisfies <paramref name="inodeInUse"/>, or whose
    /// bind-mounted subtree root (a path inside the mount) satisfies <paramref name="bindRootInUse"/>.
    /// </summary>
    public static IReadOnlyList<string> Find(uint major, uint minor, Func<ulong, bool> inodeInUse, Func<string, bool> bindRootInUse, int limit = 5)
    {
        var found = new List<string>();
        var namespacesSeen = new HashSet<string>(StringComparer.Ordinal);
        string deviceText = $"{major:x2}:{minor:x2}";
        foreach (var dir in EnumerateProcesses())
        {
            if (found.Count >= limit) break;
            int pid = int.Parse(Path.GetFileName(dir), CultureInfo.InvariantCulture);
            string command = ReadCommand(dir);
            foreach (var link in Links(dir))
            {
                if (Libc.TryGetFileStatus(link, out var status) != 0) continue;
                if (status.DeviceMajor != major || status.DeviceMinor != minor || !inodeInUse(status.Inode)) continue;
                found.Add($"pid {pid} ({command}) uses {Target(link)}");
                if (found.Count >= limit) return found;
            }
            foreach (var mapped in MappedFiles(dir, deviceText, inodeInUse))
            {
                found.Add($"pid {pid} ({command}) maps {mapped}");
                if (found.Count >= limit) return found;
            }
            var ns = Target(Path.Combine(dir, "ns", "mnt"));
            if (!namespacesSeen.Add(ns)) continue;
            foreach (var bind in BindMounts(dir, major, minor, bindRootInUse))
            {
                found.Add($"{bind} is bind-mounted (mount namespace of pid {pid})");
                if (found.Count >= limit) return found;
            }
        }
        return found;
    }

    private static IEnumerable<string> EnumerateProcesses()
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            var name = Path.GetFileName(dir);
            if (name.Length > 0 && name.All(char.IsAsciiDigit)) yield return dir;
        }
    }

    private static IEnumerable<string> Links(string processDir)
    {
        yield return Path.Combine(processDir, "cwd");
        yield return Path.Combine(processDir, "root");
        IEnumerable<string> descriptors;
        try
        {
            descriptors = Directory.GetFiles(Path.Combine(processDir, "fd"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            yield break;
        }
        foreach (var fd in descriptors) yield return fd;
    }

    private static IEnumerable<string> MappedFiles(string processDir, string deviceText, Func<ulong, bool> inodeInUse)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(Path.Combine(processDir, "maps"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            yield break;
        }
        var reported = new HashSet<ulong>();
        foreach (var line in lines)
        {
            // address perms offset dev inode path
            var fields = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 5 || fields[3] != deviceText || !ulong.TryParse(fields[4], out var inode) || inode == 0) continue;
            if (!inodeInUse(inode) || !reported.Add(inode)) continue;
            yield return fields.Length > 5 ? fields[5].Trim() : $"inode {inode}";
        }
    }

    private static IEnumerable<string> BindMounts(string processDir, uint major, uint minor, Func<string, bool> bindRootInUse)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(Path.Combine(processDir, "mountinfo"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            yield break;
        }
        foreach (var line in lines)
        {
            // id parent major:minor root mount-point ...
            var fields = line.Split(' ');
            if (fields.Length < 5 || fields[2] != $"{major}:{minor}") continue;
            var root = Fuse.Transport.MountTable.Unescape(fields[3]);
            if (root != "/" && bindRootInUse(root)) yield return $"{root} at {Fuse.Transport.MountTable.Unescape(fields[4])}";
        }
    }

    private static string ReadCommand(string processDir)
    {
        try
        {
            return File.ReadAllText(Path.Combine(processDir, "comm")).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "?";
        }
    }

    private static string Target(string link)
    {
        try
        {
            return new FileInfo(link).LinkTarget ?? link;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return link;
        }
    }
}
