namespace Erofs.Accel.Format;

/// <summary>Fixed numbers of the EROFS on-disk format.</summary>
public static class ErofsConstants
{
    public const uint SuperblockMagic = 0xE0F5E1E2;
    public const int SuperblockOffset = 1024;
    public const int SuperblockBaseSize = 128;
    
    public const int MinBlockSizeBits = 9;
    public const int MaxBlockSizeBits = 16;
    public const int InodeSlotSize = 32;
    public const int CompactInodeSize = 32;
    public const int ExtendedInodeSize = 64;
    public const int DirentSize = 12;
    public const int MaxNameLength = 255;
    public const int DeviceSlotSize = 128;
    public const int XattrHeaderSize = 12;
    public const int XattrEntryHeaderSize = 4;
    public const ulong MetaboxNidBit = 1UL << 63;
    public const uint NullAddress32 = 0xFFFFFFFF;
    public const ulong NullAddress48 = 0xFFFF_FFFF_FFFFUL;

    /// <summary>Largest compressed size of one pcluster the format allows.</summary>
    public const int MaxPclusterSize = 1 << 20;

    /// <summary>Largest decoded size of one extent the format allows.</summary>
    public const int MaxExtentDecodedSize = 12 << 20;
}
