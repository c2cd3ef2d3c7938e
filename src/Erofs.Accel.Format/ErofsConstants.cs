namespace Erofs.Accel.Format;

/// <summary>Fixed numbers of the EROFS on-disk format.</summary>
public static class ErofsConstants
{
    /// <summary>The superblock's magic number (EROFS_SUPER_MAGIC_V1).</summary>
    public const uint SuperblockMagic = 0xE0F5E1E2;
    /// <summary>Byte offset of the superblock on the primary device.</summary>
    public const int SuperblockOffset = 1024;
    /// <summary>Bytes of the superblock without extension slots.</summary>
    public const int SuperblockBaseSize = 128;
    
    /// <summary>Smallest block size, log2 bytes (512 B).</summary>
    public const int MinBlockSizeBits = 9;
    /// <summary>Largest block size, log2 bytes (64 KiB).</summary>
    public const int MaxBlockSizeBits = 16;
    /// <summary>Bytes per nid: an inode's position is meta_blkaddr * block size + nid * 32.</summary>
    public const int InodeSlotSize = 32;
    /// <summary>Bytes of a compact inode core.</summary>
    public const int CompactInodeSize = 32;
    /// <summary>Bytes of an extended inode core.</summary>
    public const int ExtendedInodeSize = 64;
    /// <summary>Bytes of one directory entry record (nid, name offset, type, reserved).</summary>
    public const int DirentSize = 12;
    /// <summary>Longest name of a directory entry, in bytes.</summary>
    public const int MaxNameLength = 255;
    /// <summary>Bytes of one device-table slot.</summary>
    public const int DeviceSlotSize = 128;
    /// <summary>Bytes of the inline xattr header before the first entry.</summary>
    public const int XattrHeaderSize = 12;
    /// <summary>Bytes of an xattr entry header.</summary>
    public const int XattrEntryHeaderSize = 4;
    /// <summary>Nid bit 63: the inode lives in the metabox, not in the metadata blocks.</summary>
    public const ulong MetaboxNidBit = 1UL << 63;
    /// <summary>A 32-bit block address meaning "no block".</summary>
    public const uint NullAddress32 = 0xFFFFFFFF;
    /// <summary>A 48-bit block address meaning "no block".</summary>
    public const ulong NullAddress48 = 0xFFFF_FFFF_FFFFUL;

    /// <summary>Largest compressed size of one pcluster the format allows.</summary>
    public const int MaxPclusterSize = 1 << 20;

    /// <summary>Largest decoded size of one extent the format allows.</summary>
    public const int MaxExtentDecodedSize = 12 << 20;
}
