using System.Buffers.Binary;

namespace Erofs.Accel.Format;

/// <summary>Data layout of an inode (i_format bits 1..3).</summary>
public enum DataLayout : byte
{
    /// <summary>Data in consecutive blocks from the start block.</summary>
    FlatPlain = 0,
    /// <summary>Compressed, with a full lcluster index (or 48-bit extent records).</summary>
    CompressedFull = 1,
    /// <summary>Data in consecutive blocks with the last partial block inline after the inode.</summary>
    FlatInline = 2,
    /// <summary>Compressed, with a compact lcluster index.</summary>
    CompressedCompact = 3,
    /// <summary>Data in chunks, each mapped by a chunk index entry.</summary>
    ChunkBased = 4,
}

/// <summary>File type from the POSIX mode.</summary>
public enum InodeType : byte
{
    /// <summary>A mode with no valid file type (refused when an inode is parsed).</summary>
    Unknown = 0,
    /// <summary>A regular file.</summary>
    RegularFile,
    /// <summary>A directory.</summary>
    Directory,
    /// <summary>A symbolic link.</summary>
    Symlink,
    /// <summary>A character device node.</summary>
    CharDevice,
    /// <summary>A block device node.</summary>
    BlockDevice,
    /// <summary>A FIFO (named pipe).</summary>
    Fifo,
    /// <summary>A Unix domain socket.</summary>
    Socket,
}

/// <summary>The fixed part of an inode (compact 32 B or extended 64 B), decoded.</summary>
public readonly struct InodeCore
{
    /// <summary>The file-type bits of a mode (S_IFMT).</summary>
    public const ushort ModeTypeMask = 0xF000;

    /// <summary>The raw i_format field (version, layout, bit 4).</summary>
    public ushort Format { get; init; }
    /// <summary>True for a 64-byte extended inode.</summary>
    public bool IsExtended { get; init; }
    /// <summary>Bytes of the inode core: 32 (compact) or 64 (extended).</summary>
    public int CoreSize => IsExtended ? ErofsConstants.ExtendedInodeSize : ErofsConstants.CompactInodeSize;
    /// <summary>How the data is stored.</summary>
    public DataLayout Layout { get; init; }
    /// <summary>i_xattr_icount: 0 without inline xattrs, else the size of the area in 4-byte units plus 1 header.</summary>
    public ushort XattrICount { get; init; }
    /// <summary>Full POSIX mode: file type and permission bits.</summary>
    public ushort Mode { get; init; }
    /// <summary>The file type of <see cref="Mode"/>.</summary>
    public InodeType Type { get; init; }
    /// <summary>The raw i_nb union (nlink / high address bits).</summary>
    public ushort Nb { get; init; }
    /// <summary>Size in bytes (file length, symlink target length, directory data size).</summary>
    public ulong Size { get; init; }
    /// <summary>Modification time, seconds since the Unix epoch (compact inodes: the superblock epoch plus i_mtime).</summary>
    public long MtimeSeconds { get; init; }
    /// <summary>Nanoseconds part of the modification time.</summary>
    public uint MtimeNanoseconds { get; init; }
    /// <summary>The raw i_u union (start block, compressed blocks, chunk format or rdev).</summary>
    public uint U { get; init; }
    /// <summary>The 32-bit inode number stored on disk.</summary>
    public uint Ino32 { get; init; }
    /// <summary>Owner's user id.</summary>
    public uint Uid { get; init; }
    /// <summary>Owner's group id.</summary>
    public uint Gid { get; init; }
    /// <summary>Hard link count (1 for compact NLINK_1 inodes).</summary>
    public uint Nlink { get; init; }

    /// <summary>i_format bit 4: NLINK_1 on compact non-directories, DOT_OMITTED on directories.</summary>
    public bool Bit4 => (Format & 0x10) != 0;
    /// <summary>True for a directory whose "." entry is not stored (DOT_OMITTED).</summary>
    public bool DotOmitted => Type == InodeType.Directory && Bit4;

    /// <summary>Bytes of the inline xattr area after the core (0 when none).</summary>
    public int XattrInlineSize => XattrICount == 0 ? 0 : ErofsConstants.XattrHeaderSize + 4 * (XattrICount - 1);

    /// <summary>
    /// True when i_nb carries bits 32..47 of a block address (extended inodes, compact NLINK_1 non-directories).
    /// </summary>
    public bool NbIsAddressHigh => IsExtended || (Bit4 && Type != InodeType.Directory);

    /// <summary>Start block (flat layouts) or compressed block count, with high bits from i_nb when present.</summary>
    public ulong WideU => NbIsAddressHigh ? U | (ulong)Nb << 32 : U;

    /// <summary>Raw rdev (Linux new encoding) for device inodes.</summary>
    public uint Rdev => Type is InodeType.CharDevice or InodeType.BlockDevice ? U : 0;

    /// <summary>Device major number of a device node (12 bits).</summary>
    public uint RdevMajor => (Rdev & 0xFFF00) >> 8;
    /// <summary>Device minor number of a device node (20 bits).</summary>
    public uint RdevMinor => (Rdev & 0xFF) | ((Rdev >> 12) & 0xFFF00);

    /// <summary>The file type of a POSIX mode; <see cref="InodeType.Unknown"/> for invalid type bits.</summary>
    public static InodeType TypeOfMode(ushort mode) => (mode & ModeTypeMask) switch
    {
        0x8000 => InodeType.RegularFile,
        0x4000 => InodeType.Directory,
        0xA000 => InodeType.Symlink,
        0x2000 => InodeType.CharDevice,
        0x6000 => InodeType.BlockDevice,
        0x1000 => InodeType.Fifo,
        0xC000 => InodeType.Socket,
        _ => InodeType.Unknown,
    };

    /// <summary>Whether the first two bytes (i_format) announce an extended (64-byte) inode.</summary>
    public static bool PeekExtended(ReadOnlySpan<byte> slot) => (BinaryPrimitives.ReadUInt16LittleEndian(slot) & 1) != 0;

    /// <summary>
    /// Decodes an inode core. <paramref name="raw"/> holds at least 32 bytes, 64 for an extended inode.
    /// <paramref name="epoch"/> and <paramref name="fixedNsec"/> come from the superblock (compact mtimes).
    /// </summary>
    public static InodeCore Parse(ReadOnlySpan<byte> raw, long epoch, uint fixedNsec, ulong nid, long position)
    {
        ushort format = BinaryPrimitives.ReadUInt16LittleEndian(raw);
        if ((format & 0xFFE0) != 0)
            throw new ErofsUnsupportedFeatureException($"inode format 0x{format:x4} has unknown bits", position, nid);
        int layout = (format >> 1) & 7;
        if (layout > (int)DataLayout.ChunkBased)
            throw new ErofsUnsupportedFeatureException($"unknown data layout {layout}", position, nid);
        bool extended = (format & 1) != 0;
        if (raw.Length < (extended ? 64 : 32))
            throw new ErofsCorruptImageException("inode truncated", position, nid);

        ushort mode = BinaryPrimitives.ReadUInt16LittleEndian(raw[4..]);
        var type = TypeOfMode(mode);
        if (type == InodeType.Unknown)
            throw new ErofsCorruptImageException($"inode has invalid file type in mode 0{Convert.ToString(mode, 8)}", position, nid);
        ushort nb = BinaryPrimitives.ReadUInt16LittleEndian(raw[6..]);
        ushort icount = BinaryPrimitives.ReadUInt16LittleEndian(raw[2..]);
        if (extended)
        {
            return new InodeCore
            {
                Format = format, IsExtended = true, Layout = (DataLayout)layout, XattrICount = icount,
                Mode = mode, Type = type, Nb = nb,
                Size = BinaryPrimitives.ReadUInt64LittleEndian(raw[8..]),
                U = BinaryPrimitives.ReadUInt32LittleEndian(raw[16..]),
                Ino32 = BinaryPrimitives.ReadUInt32LittleEndian(raw[20..]),
                Uid = BinaryPrimitives.ReadUInt32LittleEndian(raw[24..]),
                Gid = BinaryPrimitives.ReadUInt32LittleEndian(raw[28..]),
                MtimeSeconds = BinaryPrimitives.ReadInt64LittleEndian(raw[32..]),
                MtimeNanoseconds = BinaryPrimitives.ReadUInt32LittleEndian(raw[40..]),
                Nlink = BinaryPrimitives.ReadUInt32LittleEndian(raw[44..]),
            };
        }

        bool bit4 = (format & 0x10) != 0;
        return new InodeCore
        {
            Format = format, IsExtended = false, Layout = (DataLayout)layout, XattrICount = icount,
            Mode = mode, Type = type, Nb = nb,
            Size = BinaryPrimitives.ReadUInt32LittleEndian(raw[8..]),
            MtimeSeconds = epoch + BinaryPrimitives.ReadUInt32LittleEndian(raw[12..]),
            MtimeNanoseconds = fixedNsec,
            U = BinaryPrimitives.ReadUInt32LittleEndian(raw[16..]),
            Ino32 = BinaryPrimitives.ReadUInt32LittleEndian(raw[20..]),
            Uid = BinaryPrimitives.ReadUInt16LittleEndian(raw[24..]),
            Gid = BinaryPrimitives.ReadUInt16LittleEndian(raw[26..]),
            Nlink = bit4 && type != InodeType.Directory ? 1u : nb,
        };
    }
}
