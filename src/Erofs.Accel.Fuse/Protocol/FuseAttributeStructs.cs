using System.Runtime.InteropServices;

namespace Erofs.Accel.Fuse.Protocol;

/// <summary>struct fuse_attr (88 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseAttr
{
    public const int Size = 88;
    public ulong Inode;
    public ulong FileSize;
    public ulong Blocks;
    public ulong AccessTime;
    public ulong ModificationTime;
    public ulong ChangeTime;
    public uint AccessTimeNanoseconds;
    public uint ModificationTimeNanoseconds;
    public uint ChangeTimeNanoseconds;
    public uint Mode;
    public uint LinkCount;
    public uint UserId;
    public uint GroupId;
    public uint DeviceNumber;
    public uint BlockSize;
    public uint Flags;
}

/// <summary>struct fuse_entry_out (128 bytes): the answer to LOOKUP and the head of a READDIRPLUS record.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseEntryOut
{
    public const int Size = 128;
    public ulong NodeId;
    public ulong Generation;
    public ulong EntryValidSeconds;
    public ulong AttrValidSeconds;
    public uint EntryValidNanoseconds;
    public uint AttrValidNanoseconds;
    public FuseAttr Attr;
}

/// <summary>struct fuse_getattr_in (16 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseGetAttrIn
{
    public const int Size = 16;
    public uint GetAttrFlags;
    public uint Dummy;
    public ulong FileHandle;
}

/// <summary>struct fuse_attr_out (104 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseAttrOut
{
    public const int Size = 104;
    public ulong AttrValidSeconds;
    public uint AttrValidNanoseconds;
    public uint Dummy;
    public FuseAttr Attr;
}
