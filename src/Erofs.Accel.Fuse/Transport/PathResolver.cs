using System.Runtime.InteropServices;
using Erofs.Accel.Interop;

namespace Erofs.Accel.Fuse.Transport;

/// <summary>Canonical absolute paths (symlinks resolved) as they appear in the mount table.</summary>
internal static unsafe class PathResolver
{
    /// <summary>realpath(3) of <paramref name="path"/>, or null with <paramref name="error"/> set.</summary>
    public static string? TryResolve(string path, out Errno error)
    {
        var buffer = stackalloc byte[Libc.PATH_MAX + 1];
        var result = Libc.RealPath(path, buffer);
        if (result == null)
        {
            error = Libc.LastError;
            return null;
        }
        error = Errno.Success;
        return Marshal.PtrToStringUTF8((IntPtr)buffer);
    }
}
