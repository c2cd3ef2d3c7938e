using Erofs.Accel.Interop;

namespace Erofs.Accel.Fuse.Transport;

/// <summary>
/// Whether this kernel will offer FUSE over io_uring (Linux 6.14+, CONFIG_FUSE_IO_URING): the fuse module parameter
/// enable_uring must be on when the filesystem is mounted, because the kernel decides what to offer in the INIT it
/// sends during mount(2). Root turns it on (it stays on for the whole machine); anyone else can only find it on.
/// </summary>
internal static class FuseUringSupport
{
    public const string ParameterPath = "/sys/module/fuse/parameters/enable_uring";

    /// <summary>True when enable_uring is on (turning it on if root); otherwise false with a one-line reason.</summary>
    public static bool TryEnable(out string reason) => TryEnable(ParameterPath, Libc.GetEffectiveUserId() == 0, out reason);

    internal static bool TryEnable(string parameterPath, bool mayWrite, out string reason)
    {
        reason = "";
        bool? enabled = ReadSwitch(parameterPath, out var readError);
        if (enabled is null)
        {
            reason = readError;
            return false;
        }
        if (enabled.Value) return true;
        if (!mayWrite)
        {
            reason = $"FUSE over io_uring is off ({parameterPath} is N) and only root can turn it on";
            return false;
        }
        try
        {
            File.WriteAllText(parameterPath, "1");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            reason = $"cannot turn on {parameterPath}: {e.Message}";
            return false;
        }
        if (ReadSwitch(parameterPath, out readError) == true) return true;
        reason = $"{parameterPath} stays off after writing 1";
        return false;
    }

    private static bool? ReadSwitch(string path, out string error)
    {
        error = "";
        try
        {
            var value = File.ReadAllText(path).Trim();
            return value is "Y" or "y" or "1";
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            error = $"this kernel has no FUSE over io_uring (no {path}; it needs Linux 6.14 or later built with CONFIG_FUSE_IO_URING)";
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error = $"cannot read {path}: {e.Message}";
            return null;
        }
    }
}
