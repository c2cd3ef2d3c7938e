using System.Runtime.InteropServices;

namespace Erofs.Accel.Interop;

/// <summary>What files this process creates get: the file mode creation mask and the effective group.</summary>
internal static partial class Libc
{
    /// <summary>Sets the creation mask and returns the previous one (there is no call that only reads it).</summary>
    [LibraryImport(LibraryName, EntryPoint = "umask")]
    public static partial uint Umask(uint mask);

    [LibraryImport(LibraryName, EntryPoint = "getegid")]
    public static partial uint GetEffectiveGroupId();

    private static readonly object UmaskLock = new();

    /// <summary>
    /// The process's creation mask: read from /proc/self/status (Linux 4.7 and later), else by setting and restoring it
    /// (the fallback briefly changes the mask, so it runs under a lock).
    /// </summary>
    public static uint CurrentUmask()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
                if (line.StartsWith("Umask:", StringComparison.Ordinal))
                    return Convert.ToUInt32(line[6..].Trim(), 8);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
        lock (UmaskLock)
        {
            uint mask = Umask(0x12);
            Umask(mask);
            return mask;
        }
    }
}
