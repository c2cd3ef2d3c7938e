using System.Diagnostics;
using Erofs.Accel.Interop;

namespace Erofs.Accel.Fuse.Transport;

/// <summary>Detaches a FUSE mount: umount2(2) when allowed, otherwise fusermount3 -u.</summary>
internal static class Unmounter
{
    /// <summary>Unmounts; <paramref name="lazy"/> detaches even while files are open (MNT_DETACH / -z).</summary>
    public static Errno Unmount(string mountPoint, bool lazy)
    {
        var flags = Libc.UMOUNT_NOFOLLOW | (lazy ? Libc.MNT_DETACH : 0);
        if (Libc.Unmount2(mountPoint, flags) == 0) return Errno.Success;
        var error = Libc.LastError;
        if (error != Errno.EPERM) return error;
        return UnmountWithHelper(mountPoint, lazy);
    }

    private static Errno UnmountWithHelper(string mountPoint, bool lazy)
    {
        var program = FusermountMounter.FindProgram();
        if (program is null) return Errno.EPERM;
        var start = new ProcessStartInfo(program)
        {
            UseShellExecute = false,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        start.ArgumentList.Add(lazy ? "-uz" : "-u");
        start.ArgumentList.Add("--");
        start.ArgumentList.Add(mountPoint);
        using var helper = Process.Start(start);
        if (helper is null) return Errno.EPERM;
        var stderr = helper.StandardError.ReadToEndAsync();
        helper.StandardOutput.ReadToEndAsync();
        if (!helper.WaitForExit(10_000))
        {
            helper.Kill();
            return Errno.EBUSY;
        }
        if (helper.ExitCode == 0) return Errno.Success;
        return stderr.Result.Contains("busy", StringComparison.OrdinalIgnoreCase) ? Errno.EBUSY : Errno.EPERM;
    }
}
