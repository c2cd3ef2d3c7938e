using System.Runtime.InteropServices;

namespace Erofs.Accel.Decompression.OpenCl;

/// <summary>One batch item as the kernels see it (item_desc in common.cl, 32 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct OpenClItemDescriptor
{
    public const uint FlagPartial = 1;

    public uint InputOffset;
    public uint InputLength;
    public uint OutputOffset;
    public uint OutputCapacity;
    public uint Flags;
    public uint Reserved0;
    public uint Reserved1;
    public uint Reserved2;
}

/// <summary>Per-item answer of the kernels (item_result in common.cl).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct OpenClItemResult
{
    public uint Status;
    public uint Produced;
}

/// <summary>Status codes written by the kernels (ST_* in common.cl).</summary>
internal enum OpenClItemStatus : uint
{
    Ok = 0,
    Corrupt = 1,
    Truncated = 2,
    Overflow = 3,
    Short = 4,
    BadDescriptor = 5,
}
