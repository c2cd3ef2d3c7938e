using System.Runtime.InteropServices;

namespace Erofs.Accel.Fuse.Protocol;

/// <summary>struct fuse_open_in (8 bytes), for OPEN and OPENDIR.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseOpenIn
{
    public const int Size = 8;
    public uint Flags;
    public uint OpenFlags;
}

/// <summary>struct fuse_open_out (16 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseOpenOut
{
    public const int Size = 16;
    public ulong FileHandle;
    public FuseOpenReplyFlags OpenFlags;
    public uint Padding;
}

/// <summary>struct fuse_read_in (40 bytes), for READ, READDIR and READDIRPLUS.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseReadIn
{
    public const int Size = 40;
    public ulong FileHandle;
    public ulong Offset;
    public uint Length;
    public uint ReadFlags;
    public ulong LockOwner;
    public uint Flags;
    public uint Padding;
}

/// <summary>struct fuse_release_in (24 bytes), for RELEASE and RELEASEDIR.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseReleaseIn
{
    public const int Size = 24;
    public ulong FileHandle;
    public uint Flags;
    public uint ReleaseFlags;
    public ulong LockOwner;
}
