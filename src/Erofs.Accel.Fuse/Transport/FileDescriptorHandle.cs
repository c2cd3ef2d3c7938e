using System.Runtime.InteropServices;
using Erofs.Accel.Interop;

namespace Erofs.Accel.Fuse.Transport;

/// <summary>An owned POSIX file descriptor, closed exactly once when released.</summary>
internal sealed class FileDescriptorHandle : SafeHandle
{
    public FileDescriptorHandle(int descriptor, bool ownsHandle = true)
        : base(new IntPtr(-1), ownsHandle)
    {
        SetHandle(new IntPtr(descriptor));
    }

    public override bool IsInvalid => handle.ToInt64() < 0;

    /// <summary>The descriptor number (valid while the handle is alive).</summary>
    public int Descriptor => (int)handle.ToInt64();

    protected override bool ReleaseHandle() => Libc.Close((int)handle.ToInt64()) == 0;
}
