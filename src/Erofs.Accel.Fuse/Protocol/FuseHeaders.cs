using System.Runtime.InteropServices;

namespace Erofs.Accel.Fuse.Protocol;

/// <summary>struct fuse_in_header: 40 bytes in front of every request.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseInHeader
{
    public const int Size = 40;
    public uint Length;
    public FuseOpcode Opcode;
    public ulong Unique;
    public ulong NodeId;
    public uint UserId;
    public uint GroupId;
    public uint ProcessId;
    /// <summary>Length of request extensions at the end of the request, in 8-byte units.</summary>
    public ushort TotalExtensionLength;
    public ushort Padding;
}

/// <summary>struct fuse_out_header: 16 bytes in front of every reply. Error is 0 or a negated errno.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseOutHeader
{
    public const int Size = 16;
    public uint Length;
    public int Error;
    public ulong Unique;
}
