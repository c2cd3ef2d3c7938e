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

    public InodeType Type => Core.Type;
    /// <summary>Full POSIX mode (type and permission bits).</summary>
    public uint Mode => Core.Mode;
    /// <summary>Permission bits including setuid/setgid/sticky (mode &amp; 07777).</summary>
    public uint Permissions => Core.Mode & 0xFFFu;
    public uint Uid => Core.Uid;
    public uint Gid => Core.Gid;
    public ulong Size => Core.Size;
    public uint LinkCount => Core.Nlink;
    public long MtimeSeconds => Core.MtimeSeconds;
    public uint MtimeNanoseconds => Core.MtimeNanoseconds;
    public DataLayout Layout => Core.Layout;
    public bool IsCompressed => Core.Layout is DataLayout.CompressedFull or DataLayout.CompressedCompact;
    public bool IsExtended => Core.IsExtended;
    public bool IsDirectory => Core.Type == InodeType.Directory;
    public bool IsRegularFile => Core.Type == InodeType.RegularFile;
    public bool IsSymlink => Core.Type == InodeType.Symlink;
    public uint RdevMajor => Core.RdevMajor;
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

    public override string ToString() => $"nid {ErofsException.FormatNid(Nid)} {Type} size {Size}";
}
