using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Erofs.Accel.Fuse.Protocol;

/// <summary>
/// struct fuse_init_in: 64 bytes since 7.36; kernels before that send only the first 16 (major, minor,
/// max_readahead, flags).
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseInitIn
{
    public const int Size = 64;
    public const int CompatSize = 16;
    public uint Major;
    public uint Minor;
    public uint MaxReadahead;
    public uint Flags;
    public uint Flags2;
    public Unused11 Unused;

    [InlineArray(11)]
    public struct Unused11 { private uint _element; }
}

/// <summary>struct fuse_init_out (64 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseInitOut
{
    public const int Size = 64;
    public uint Major;
    public uint Minor;
    public uint MaxReadahead;
    public uint Flags;
    public ushort MaxBackground;
    public ushort CongestionThreshold;
    public uint MaxWrite;
    public uint TimeGranularity;
    public ushort MaxPages;
    public ushort MapAlignment;
    public uint Flags2;
    public uint MaxStackDepth;
    public ushort RequestTimeout;
    public Unused11 Unused;

    [InlineArray(11)]
    public struct Unused11 { private ushort _element; }
}
