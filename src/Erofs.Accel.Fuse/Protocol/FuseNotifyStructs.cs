using System.Runtime.InteropServices;

namespace Erofs.Accel.Fuse.Protocol;

/// <summary>Codes of unsolicited messages to the kernel: sent in fuse_out_header.error with unique 0.</summary>
internal enum FuseNotifyCode
{
    InvalidateInode = 2,
    InvalidateEntry = 3,
    Store = 4,
}

/// <summary>struct fuse_notify_inval_inode_out (24 bytes): drop a node's attributes and cached pages.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseNotifyInvalidateInodeOut
{
    public const int Size = 24;
    public ulong NodeId;
    /// <summary>First byte of the page cache to drop; negative drops only the attributes.</summary>
    public long Offset;
    /// <summary>Bytes to drop from <see cref="Offset"/>; 0 or less means to the end.</summary>
    public long Length;
}

/// <summary>struct fuse_notify_inval_entry_out (16 bytes), followed by the name and a NUL byte.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseNotifyInvalidateEntryOut
{
    public const int Size = 16;
    public ulong Parent;
    public uint NameLength;
    public uint Flags;
}

/// <summary>
/// struct fuse_notify_store_out (24 bytes), followed by <see cref="DataLength"/> bytes of file data: the kernel copies them
/// into the node's page cache at <see cref="Offset"/> (whole pages become up to date) and grows its idea of the file
/// size when they reach past it.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseNotifyStoreOut
{
    public const int Size = 24;
    public ulong NodeId;
    public ulong Offset;
    public uint DataLength;
    public uint Padding;
}
