using System.Runtime.InteropServices;

namespace Erofs.Accel.Interop;

/// <summary>
/// The one glibc binding of the project. Each assembly that calls libc links the files of src/Common/Interop
/// (one file per group of calls, as dotnet/runtime's Common/src/Interop does), so there is a single declaration of
/// every function, constant and struct. An assembly adds typed helpers of its own in a partial file beside its code
/// (the FUSE layer, for example, adds its Errno-typed view of errno).
/// </summary>
internal static unsafe partial class Libc
{
    internal const string LibraryName = "libc.so.6";

    public const int EPERM = 1, ENOENT = 2, EINTR = 4, EIO = 5, EAGAIN = 11, EACCES = 13, EBUSY = 16, EEXIST = 17,
        ENODEV = 19, ENOTDIR = 20, EISDIR = 21, EINVAL = 22, ENOSPC = 28, ENOSYS = 38, ENOTEMPTY = 39, ENOTSUP = 95;

    /// <summary>errno of the last failed call on this thread (the call must be declared with SetLastError).</summary>
    public static int LastErrno => Marshal.GetLastPInvokeError();

    /// <summary>The C library's text for an errno, e.g. "Device or resource busy".</summary>
    public static string Describe(int errno) => Marshal.GetPInvokeErrorMessage(errno);

    /// <summary>A NUL-terminated copy of a byte string, for calls that take raw (not necessarily UTF-8) names.</summary>
    public static byte[] Z(ReadOnlySpan<byte> s)
    {
        var z = new byte[s.Length + 1];
        s.CopyTo(z);
        return z;
    }
}
