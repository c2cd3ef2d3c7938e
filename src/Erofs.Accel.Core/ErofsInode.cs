using Erofs.Accel.Core.Data;

namespace Erofs.Accel.Core;

/// <summary>An inode of an EROFS image: identity, attributes and where its data and metadata live.</summary>
public sealed class ErofsInode
{
    internal ErofsInode(ulong nid, long position, bool inMetabox, in InodeCore core, int blockBits, CompressedMap? compressedMap)
    {
        Nid = nid;
        Position = position;
        InMetabox = inMetabox;
        Core = core;
        BlockBits = blockBits;
        CompressedMap = compressedMap;
    }

    internal InodeCore Core { get; }
    internal int BlockBits { get; }

    /// <summary>Byte position of the inode (on the primary device, or inside the metabox content).</summary>
    internal long Position { get; }

    /// <summary>True when the inode lives inside the metabox (nid bit 63).</summary>
    public bool InMetabox { get; }

    /// <summary>Inode id within the image; stable, unique, and what hardlinks share.</summary>
    public ulong Nid { get; }

    /// <summary>File type (regular, directory, symlink, device, FIFO, socket).</summary>
    public InodeType Type => Core.Type;
    /// <summary>Full POSIX mode (type and permission bits).</summary>
    public uint Mode => Core.Mode;
    /// <summary>Permission bits including setuid/setgid/sticky (mode &amp; 07777).</summary>
    public uint Permissions => Core.Mode & 0xFFFu;
    /// <summary>Owner's user id.</summary>
    public uint Uid => Core.Uid;
    /// <summary>Owner's group id.</summary>
    public uint Gid => Core.Gid;
    /// <summary>Size in bytes as stat reports it (file length, symlink target length, directory data size; 0 for devices).</summary>
    public ulong Size => Core.Size;
    /// <summary>Number of hard links (st_nlink).</summary>
    public uint LinkCount => Core.Nlink;
    /// <summary>Modification time, whole seconds since the Unix epoch (may be negative).</summary>
    public long MtimeSeconds => Core.MtimeSeconds;
    /// <summary>Nanoseconds part of the modification time (0 to 999 999 999).</summary>
    public uint MtimeNanoseconds => Core.MtimeNanoseconds;
    /// <summary>How the inode's data is stored (flat, flat with inline tail, compressed, chunk-based).</summary>
    public DataLayout Layout => Core.Layout;
    /// <summary>True when the data is stored compressed (full or compact index).</summary>
    public bool IsCompressed => Core.Layout is DataLayout.CompressedFull or DataLayout.CompressedCompact;
    /// <summary>True for a 64-byte extended inode, false for a 32-byte compact one.</summary>
    public bool IsExtended => Core.IsExtended;
    /// <summary>True for a directory.</summary>
    public bool IsDirectory => Core.Type == InodeType.Directory;
    /// <summary>True for a regular file.</summary>
    public bool IsRegularFile => Core.Type == InodeType.RegularFile;
    /// <summary>True for a symbolic link.</summary>
    public bool IsSymlink => Core.Type == InodeType.Symlink;
    /// <summary>Device major number of a character or block device node (0 otherwise).</summary>
    public uint RdevMajor => Core.RdevMajor;
    /// <summary>Device minor number of a character or block device node (0 otherwise).</summary>
    public uint RdevMinor => Core.RdevMinor;
    /// <summary>32-bit inode number stored on disk (for 32-bit stat compatibility).</summary>
    public uint StoredIno32 => Core.Ino32;

    /// <summary>Bytes the file occupies on the image as stat's st_blocks*512 would report.</summary>
    public ulong AllocatedBytes => IsCompressed
        ? Core.WideU << BlockBits
        : (Size + (1UL << BlockBits) - 1) >> BlockBits << BlockBits;

    /// <summary>Position right after the inode core and its inline xattrs.</summary>
    internal long PayloadPosition => Position + Core.CoreSize + Core.XattrInlineSize;

    /// <summary>Maps file offsets to extents (compressed inodes only; it reads its index lazily).</summary>
    internal CompressedMap? CompressedMap { get; }

    /// <summary>The nid, type and size, for messages and debugging.</summary>
    public override string ToString() => $"nid {ErofsException.FormatNid(Nid)} {Type} size {Size}";
}
