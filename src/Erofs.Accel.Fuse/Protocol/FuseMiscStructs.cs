using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Erofs.Accel.Fuse.Protocol;

/// <summary>struct fuse_getxattr_in (8 bytes), for GETXATTR (followed by the name) and LISTXATTR.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseGetXattrIn
{
    public const int Size = 8;
    public uint Length;
    public uint Padding;
}

/// <summary>struct fuse_getxattr_out (8 bytes): the answer to a size probe (request length 0).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseGetXattrOut
{
    public const int Size = 8;
    public uint Length;
    public uint Padding;
}

/// <summary>struct fuse_kstatfs (80 bytes), the whole of fuse_statfs_out.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseStatFsOut
{
    public const int Size = 80;
    public ulong Blocks;
    public ulong BlocksFree;
    public ulong BlocksAvailable;
    public ulong Files;
    public ulong FilesFree;
    public uint BlockSize;
    public uint NameLength;
    public uint FragmentSize;
    public uint Padding;
    public Spare6 Spare;

    [InlineArray(6)]
    public struct Spare6 { private uint _element; }
}

/// <summary>struct fuse_access_in (8 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseAccessIn
{
    public const int Size = 8;
    public uint Mask;
    public uint Padding;
}

/// <summary>struct fuse_forget_in (8 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseForgetIn
{
    public const int Size = 8;
    public ulong LookupCount;
}

/// <summary>struct fuse_batch_forget_in (8 bytes), followed by <see cref="Count"/> fuse_forget_one records.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseBatchForgetIn
{
    public const int Size = 8;
    public uint Count;
    public uint Dummy;
}

/// <summary>struct fuse_forget_one (16 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseForgetOne
{
    public const int Size = 16;
    public ulong NodeId;
    public ulong LookupCount;
}

/// <summary>struct fuse_interrupt_in (8 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseInterruptIn
{
    public const int Size = 8;
    public ulong Unique;
}

/// <summary>
/// struct fuse_notify_inval_inode_out (24 bytes): sent unasked (unique 0, error = FUSE_NOTIFY_INVAL_INODE) to make the
/// kernel drop its cached attributes of <see cref="NodeId"/> (and page cache from <see cref="Offset"/> when it is not -1).
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseNotifyInvalInodeOut
{
    public const int Size = 24;
    /// <summary>The notify code that goes in fuse_out_header.error.</summary>
    public const int NotifyCode = 2;
    public ulong NodeId;
    public long Offset;
    public long Length;
}
