using System.Runtime.InteropServices;

namespace Erofs.Accel.Decompression.Engine.Native;

/// <summary>Mirror of <c>erofs_accel_result</c> (interop/common/erofs_accel_status.h).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct ShimResult
{
    public int Status;
    public int NativeStatus;
    public uint BytesWritten;
    public uint BytesRead;
    public int PathUsed;
    public uint Reserved;
}
