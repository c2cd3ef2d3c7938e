using System.Buffers.Binary;

namespace Erofs.Accel.Format;

/// <summary>Data layout of an inode (i_format bits 1..3).</summary>
public enum DataLayout : byte
{
    FlatPlain = 0,
    CompressedFull = 1,
    FlatInline = 2,
    CompressedCompact = 3,
    ChunkBased = 4,
}

/// <summary>File type from the POSIX mode.</summary>
public enum InodeType : byte
{
    Unknown = 0,
    RegularFile,
    Directory,
    Symlink,
    CharDevice,
    BlockDevice,
    Fifo,
    Socket,
}

/// <summary>The fixed part of an inode (compact 32 B or extended 64 B), decoded.</summary>
public readonly struct InodeCore
{
    public const ushort ModeTypeMask = 0xF000;

    public ushort Format { get; init; }
    public bool IsExtended { get; init; }
    public int CoreSize => IsExtended ? ErofsConstants.ExtendedInodeSize : ErofsConstants.CompactInodeSize;
    public DataLayout Layout { get; init; }
    public ushort XattrICount { get; init; }
    public ushort Mode { get; init; }
    public InodeType Type { get; init; }
    /// <summary>The raw i_nb union (nlink / high address bits).</summary>
    public ushort Nb { get; init; }
    public ulong Size { get; init; }
    public long MtimeSeconds { get; init; }
    public uint MtimeNanoseconds { get; init; }
    /// <summary>The raw i_u union (start block, compressed blocks, chunk format or rdev).</summary>
    public uint U { get; init; }
    public uint Ino32 { get; init; }
    public uint Uid { get; init; }
    public uint Gid { get; init; }
    public uint Nlink { get; init; }

    /// <summary>i_format bit 4: NLINK_1 on compact non-directories, DOT_OMITTED on directories.</summary>
    public bool Bit4 => (Format & 0x10) != 0;
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

    public uint RdevMajor => (Rdev & 0xFFF00) >> 8;
    public uint RdevMinor => (Rdev & 0xFF) | ((Rdev >> 12) & 0xFFF00);

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
