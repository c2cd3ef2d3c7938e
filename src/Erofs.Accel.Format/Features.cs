namespace Erofs.Accel.Format;

/// <summary>Compatible feature bits (feature_compat): unknown ones may be ignored.</summary>
[Flags]
public enum CompatFeatures : uint
{
    /// <summary>No compatible features.</summary>
    None = 0,
    /// <summary>The superblock carries a CRC32C checksum (SB_CHKSUM).</summary>
    SuperblockChecksum = 0x01,
    /// <summary>Compact inodes take their mtime from the superblock's build time plus i_mtime (MTIME).</summary>
    Mtime = 0x02,
    /// <summary>Inodes carry a bloom filter of their xattr names (XATTR_FILTER).</summary>
    XattrFilter = 0x04,
    /// <summary>Shared xattrs live in the metabox (SHARED_EA_IN_METABOX).</summary>
    SharedXattrsInMetabox = 0x08,
    /// <summary>Long xattr name prefixes are stored as plain names (PLAIN_XATTR_PFX).</summary>
    PlainXattrPrefixes = 0x10,
    /// <summary>Files carry content fingerprints usable for page-cache sharing (ISHARE_XATTRS).</summary>
    InodeShareXattrs = 0x20,
}

/// <summary>Incompatible feature bits (feature_incompat): an unknown one means the image cannot be read.</summary>
[Flags]
public enum IncompatFeatures : uint
{
    /// <summary>No incompatible features.</summary>
    None = 0,
    /// <summary>Compressed data is right-aligned in its pcluster ("zero padding").</summary>
    Lz4ZeroPadding = 0x001,
    /// <summary>Compression config records follow the superblock; pclusters may span blocks (same bit: BIG_PCLUSTER).</summary>
    CompressionConfigs = 0x002,
    /// <summary>Chunk-based files (CHUNKED_FILE).</summary>
    ChunkedFile = 0x004,
    /// <summary>Device table present (same bit: COMPR_HEAD2).</summary>
    DeviceTable = 0x008,
    /// <summary>Tails of compressed files are stored inline after the index (ZTAILPACKING).</summary>
    ZtailPacking = 0x010,
    /// <summary>Packed inode with fragments (same bit: DEDUPE).</summary>
    Fragments = 0x020,
    /// <summary>Long xattr name prefixes are defined after the superblock (XATTR_PREFIXES).</summary>
    XattrPrefixes = 0x040,
    /// <summary>Block addresses and counts are 48-bit (48BIT).</summary>
    Blocks48Bit = 0x080,
    /// <summary>Some inodes live in the metabox inode (METABOX).</summary>
    Metabox = 0x100,

    /// <summary>Every bit this reader implements; an image with another is refused.</summary>
    AllKnown = 0x1FF,
}

/// <summary>Names of feature bits as dump.erofs spells them.</summary>
public static class FeatureNames
{
    private static readonly (uint Bit, string Name)[] Compat =
    {
        (0x01, "sb_csum"), (0x02, "mtime"), (0x04, "xattr_filter"), (0x08, "shared_ea_in_metabox"),
        (0x10, "plain_xattr_pfx"), (0x20, "ishare_xattrs"),
    };

    private static readonly (uint Bit, string Name)[] Incompat =
    {
        (0x001, "lz4_0padding"), (0x002, "compr_cfgs/big_pcluster"), (0x004, "chunked_file"),
        (0x008, "device_table/compr_head2"), (0x010, "ztailpacking"), (0x020, "fragments/dedupe"),
        (0x040, "xattr_prefixes"), (0x080, "48bit"), (0x100, "metabox"),
    };

    /// <summary>Names of the set compatible bits, as dump.erofs spells them (unknown bits as hex).</summary>
    public static IReadOnlyList<string> Describe(CompatFeatures f) => Names(Compat, (uint)f);

    /// <summary>Names of the set incompatible bits, as dump.erofs spells them (unknown bits as hex).</summary>
    public static IReadOnlyList<string> Describe(IncompatFeatures f) => Names(Incompat, (uint)f);

    private static List<string> Names((uint Bit, string Name)[] table, uint bits)
    {
        var list = new List<string>();
        foreach (var (bit, name) in table)
            if ((bits & bit) != 0) { list.Add(name); bits &= ~bit; }
        for (int i = 0; i < 32; i++)
            if ((bits & (1u << i)) != 0) list.Add($"unknown bit {i} (0x{1u << i:x})");
        return list;
    }
}
