using System.Runtime.InteropServices;
using Erofs.Accel.Fuse;

namespace Erofs.Accel.Interop;

/// <summary>The FUSE layer's typed view of errno (the shared binding is in src/Common/Interop).</summary>
internal static partial class Libc
{
    /// <summary>errno of the last failed call on this thread, as the FUSE layer's Errno.</summary>
    public static Errno LastError => (Errno)Marshal.GetLastPInvokeError();

    /// <summary>The C library's text for an errno, e.g. "Device or resource busy".</summary>
    public static string Describe(Errno errno) => Marshal.GetPInvokeErrorMessage((int)errno);
}
