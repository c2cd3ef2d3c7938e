namespace Erofs.Accel.Format;

/// <summary>Compatible feature bits (feature_compat): unknown ones may be ignored.</summary>
[Flags]
public enum CompatFeatures : uint
{
    None = 0,
    SuperblockChecksum = 0x01,
    Mtime = 0x02,
    XattrFilter = 0x04,
    SharedXattrsInMetabox = 0x08,
    PlainXattrPrefixes = 0x10,
    InodeShareXattrs = 0x20,
}

/// <summary>Incompatible feature bits (feature_incompat): an unknown one means the image cannot be read.</summary>
[Flags]
public enum IncompatFeatures : uint
{
    None = 0,
    /// <summary>Compressed data is right-aligned in its pcluster ("zero padding").</summary>
    Lz4ZeroPadding = 0x001,
    /// <summary>Compression config records follow the superblock; pclusters may span blocks (same bit: BIG_PCLUSTER).</summary>
    CompressionConfigs = 0x002,
    ChunkedFile = 0x004,
    /// <summary>Device table present (same bit: COMPR_HEAD2).</summary>
    DeviceTable = 0x008,
    ZtailPacking = 0x010,
    /// <summary>Packed inode with fragments (same bit: DEDUPE).</summary>
    Fragments = 0x020,
    XattrPrefixes = 0x040,
    Blocks48Bit = 0x080,
    Metabox = 0x100,

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

    public static IReadOnlyList<string> Describe(CompatFeatures f) => Names(Compat, (uint)f);

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
