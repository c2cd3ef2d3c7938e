using System.Runtime.InteropServices;

namespace Erofs.Accel.Fuse.Protocol;

/// <summary>struct iovec: one piece of a reply handed to writev(2).</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct IoVector
{
    public byte* Base;
    public nuint Length;
}
