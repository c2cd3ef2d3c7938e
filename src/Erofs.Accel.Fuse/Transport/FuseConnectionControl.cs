using System.Globalization;
using Erofs.Accel.Interop;

namespace Erofs.Accel.Fuse.Transport;

/// <summary>
/// Per-connection knobs in sysfs: the fusectl abort switch (/sys/fs/fuse/connections/N/abort) and the readahead
/// window of the mount's backing device info (/sys/class/bdi/MAJOR:MINOR/read_ahead_kb).
/// </summary>
internal static class FuseConnectionControl
{
    public const string ControlDirectory = "/sys/fs/fuse/connections";

    /// <summary>The fusectl directory name of a connection: the kernel-internal dev_t (major &lt;&lt; 20 | minor).</summary>
    public static string ConnectionName(uint major, uint minor) =>
        ((major << 20) | minor).ToString(CultureInfo.InvariantCulture);

    /// <summary>Sets the readahead window; false when sysfs refuses (e.g. not root).</summary>
    public static bool TrySetReadAhead(uint major, uint minor, int kilobytes)
    {
        var path = $"/sys/class/bdi/{major}:{minor}/read_ahead_kb";
        try
        {
            File.WriteAllText(path, kilobytes.ToString(CultureInfo.InvariantCulture));
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    public static int? TryGetReadAhead(uint major, uint minor)
    {
        try
        {
            return int.Parse(File.ReadAllText($"/sys/class/bdi/{major}:{minor}/read_ahead_kb").Trim(), CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }
    }

    /// <summary>
    /// Aborts a connection: every pending and future request fails and the server's reads return ENODEV. Mounts the
    /// fusectl filesystem first if it is missing (root only). False when the switch could not be reached.
    /// </summary>
    public static bool TryAbort(uint major, uint minor)
    {
        if (!EnsureControlFileSystem()) return false;
        var path = Path.Combine(ControlDirectory, ConnectionName(major, minor), "abort");
        try
        {
            File.WriteAllText(path, "1");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>
    /// Opens a connection's abort switch for later use (a sandboxed server can no longer open it); null when it cannot
    /// be reached. Writing "1" to it aborts the connection as <see cref="TryAbort"/> does.
    /// </summary>
    public static FileStream? TryOpenAbortSwitch(uint major, uint minor)
    {
        if (!EnsureControlFileSystem()) return null;
        try
        {
            return new FileStream(Path.Combine(ControlDirectory, ConnectionName(major, minor), "abort"), FileMode.Open, FileAccess.Write, FileShare.ReadWrite, 1);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Aborts through a switch opened by <see cref="TryOpenAbortSwitch"/>; false if the write failed.</summary>
    public static bool TryAbort(FileStream abortSwitch)
    {
        try
        {
            abortSwitch.Write("1"u8);
            abortSwitch.Flush();
            return true;
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static bool EnsureControlFileSystem()
    {
        if (!Directory.Exists(ControlDirectory)) return false;
        try
        {
            if (MountTable.Read().Any(m => m.MountPoint == ControlDirectory && m.FileSystemType == "fusectl")) return true;
        }
        catch (IOException)
        {
            return false;
        }
        return Libc.Mount("fusectl", ControlDirectory, "fusectl", 0, null) == 0 || Libc.LastError == Errno.EBUSY;
    }
}
