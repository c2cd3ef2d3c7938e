using System.Runtime.InteropServices;
using System.Text;
using Erofs.Accel.Fuse.Tests.TestSupport.Interop;

namespace Erofs.Accel.Fuse.Tests.TestSupport;

/// <summary>Extended attributes read through the VFS (lgetxattr/llistxattr), as getfattr would.</summary>
internal static unsafe class Xattrs
{
    public const int ENODATA = 61;

    /// <summary>The value, or null with the errno when the call fails.</summary>
    public static byte[]? Get(string path, string name, out int errno)
    {
        errno = 0;
        var size = Libc.LGetXattr(path, name, null, 0);
        if (size < 0)
        {
            errno = Marshal.GetLastPInvokeError();
            return null;
        }
        var value = new byte[size];
        fixed (byte* pointer = value)
        {
            var read = Libc.LGetXattr(path, name, pointer, (nuint)value.Length);
            if (read < 0)
            {
                errno = Marshal.GetLastPInvokeError();
                return null;
            }
            return value[..(int)read];
        }
    }

    public static string[] List(string path)
    {
        var size = Libc.LListXattr(path, null, 0);
        if (size < 0) throw new IOException($"llistxattr {path}: errno {Marshal.GetLastPInvokeError()}");
        var list = new byte[size];
        fixed (byte* pointer = list)
        {
            var read = Libc.LListXattr(path, pointer, (nuint)list.Length);
            if (read < 0) throw new IOException($"llistxattr {path}: errno {Marshal.GetLastPInvokeError()}");
            return Encoding.UTF8.GetString(list, 0, (int)read).Split('\0', StringSplitOptions.RemoveEmptyEntries);
        }
    }

    /// <summary>Buffer too small: returns the errno (ERANGE expected).</summary>
    public static int GetWithSize(string path, string name, int size)
    {
        var buffer = new byte[Math.Max(size, 1)];
        fixed (byte* pointer = buffer)
        {
            return Libc.LGetXattr(path, name, pointer, (nuint)size) < 0 ? Marshal.GetLastPInvokeError() : 0;
        }
    }
}
