using System.Buffers.Binary;

namespace Erofs.Accel.Format;

/// <summary>The EROFS superblock (at byte 1024 of the primary device), decoded and validated.</summary>
public sealed class Superblock
{
    /// <summary>Byte offsets of the fields of struct erofs_super_block, from its start (byte 1024 of the device).</summary>
    public static class Offsets
    {
        /// <summary>__le32 magic.</summary>
        public const int Magic = 0;
        /// <summary>__le32 checksum (CRC32C).</summary>
        public const int Checksum = 4;
        /// <summary>__le32 feature_compat.</summary>
        public const int FeatureCompat = 8;
        /// <summary>__u8 blkszbits.</summary>
        public const int BlockSizeBits = 12;
        /// <summary>__u8 sb_extslots: 16-byte extension slots after the 128-byte superblock.</summary>
        public const int ExtSlots = 13;
        /// <summary>__le16 rootnid_2b, or (48-bit images with rootnid_8b) blocks_hi.</summary>
        public const int RootNid2B = 14;
        /// <summary>__le64 inos: inode count.</summary>
        public const int Inodes = 16;
        /// <summary>__le64 epoch: base of compact inodes' mtimes.</summary>
        public const int Epoch = 24;
        /// <summary>__le32 fixed_nsec: nanoseconds of compact inodes' mtimes.</summary>
        public const int FixedNanoseconds = 32;
        /// <summary>__le32 blocks_lo.</summary>
        public const int BlocksLow = 36;
        /// <summary>__le32 meta_blkaddr.</summary>
        public const int MetaBlockAddress = 40;
        /// <summary>__le32 xattr_blkaddr.</summary>
        public const int XattrBlockAddress = 44;
        /// <summary>__u8 uuid[16].</summary>
        public const int Uuid = 48;
        /// <summary>__u8 volume_name[16].</summary>
        public const int VolumeName = 64;
        /// <summary>__le32 feature_incompat.</summary>
        public const int FeatureIncompat = 80;
        /// <summary>__le16 available_compr_algs (COMPR_CFGS) or lz4_max_distance.</summary>
        public const int U1 = 84;
        /// <summary>__le16 extra_devices.</summary>
        public const int ExtraDevices = 86;
        /// <summary>__le16 devt_slotoff.</summary>
        public const int DeviceTableSlotOffset = 88;
        /// <summary>__u8 dirblkbits.</summary>
        public const int DirBlockBits = 90;
        /// <summary>__u8 xattr_prefix_count.</summary>
        public const int XattrPrefixCount = 91;
        /// <summary>__le32 xattr_prefix_start.</summary>
        public const int XattrPrefixStart = 92;
        /// <summary>__le64 packed_nid.</summary>
        public const int PackedNid = 96;
        /// <summary>__u8 xattr_filter_reserved.</summary>
        public const int XattrFilterReserved = 104;
        /// <summary>__u8 ishare_xattr_prefix_id.</summary>
        public const int InodeShareXattrPrefixId = 105;
        /// <summary>__le32 build_time (seconds after the epoch).</summary>
        public const int BuildTime = 108;
        /// <summary>__le64 rootnid_8b (48-bit images).</summary>
        public const int RootNid8B = 112;
        /// <summary>__le64 metabox_nid: only in superblocks of at least <see cref="SizeWithMetaboxNid"/> bytes.</summary>
        public const int MetaboxNid = 128;
    }

    /// <summary>Bytes of UUID and of volume name.</summary>
    public const int UuidLength = 16, VolumeNameLength = 16;

    /// <summary>Smallest superblock (128 + one 16-byte extension slot) that holds metabox_nid.</summary>
    public const int SizeWithMetaboxNid = 144;

    /// <summary>The stored CRC32C (0 when the image has none).</summary>
    public uint Checksum { get; private init; }
    /// <summary>Compatible feature bits.</summary>
    public CompatFeatures Compat { get; private init; }
    /// <summary>Incompatible feature bits.</summary>
    public IncompatFeatures Incompat { get; private init; }
    /// <summary>Block size, log2 bytes (9 to 16).</summary>
    public int BlockSizeBits { get; private init; }
    /// <summary>Block size in bytes.</summary>
    public int BlockSize => 1 << BlockSizeBits;
    /// <summary>16-byte extension slots after the 128-byte base.</summary>
    public int ExtSlots { get; private init; }
    /// <summary>Size in bytes of the on-disk superblock (128 + 16 * extslots).</summary>
    public int Size => ErofsConstants.SuperblockBaseSize + 16 * ExtSlots;
    /// <summary>Nid of the root directory.</summary>
    public ulong RootNid { get; private init; }
    /// <summary>Inodes in the image, as mkfs recorded.</summary>
    public ulong InodeCount { get; private init; }
    /// <summary>Base of compact inodes' modification times, seconds since the Unix epoch.</summary>
    public long Epoch { get; private init; }
    /// <summary>Nanoseconds of compact inodes' modification times.</summary>
    public uint FixedNanoseconds { get; private init; }
    /// <summary>Blocks of the primary device.</summary>
    public ulong Blocks { get; private init; }
    /// <summary>Block where inode slots start (nid 0).</summary>
    public uint MetaBlockAddress { get; private init; }
    /// <summary>Block where shared xattrs start.</summary>
    public uint XattrBlockAddress { get; private init; }
    /// <summary>Filesystem UUID.</summary>
    public Guid Uuid { get; private init; }
    /// <summary>The 16 UUID bytes as stored.</summary>
    public byte[] UuidBytes { get; private init; } = Array.Empty<byte>();
    /// <summary>Volume label (up to 16 bytes, NUL-trimmed).</summary>
    public string VolumeName { get; private init; } = "";
    /// <summary>Raw u1 field: lz4_max_distance without COMPR_CFGS, else the algorithm bitmap.</summary>
    public ushort U1 { get; private init; }
    /// <summary>Extra devices in the device table.</summary>
    public int ExtraDevices { get; private init; }
    /// <summary>Position of the device table, in 128-byte slots from the start of the device.</summary>
    public int DeviceTableSlotOffset { get; private init; }
    /// <summary>Directory block size bits beyond the block size (0 on every image Linux reads).</summary>
    public byte DirBlockBits { get; private init; }
    /// <summary>Long xattr name prefixes the image defines.</summary>
    public int XattrPrefixCount { get; private init; }
    /// <summary>Where the long prefixes are stored, in 4-byte units (in the packed inode when it has one).</summary>
    public uint XattrPrefixStart { get; private init; }
    /// <summary>Nid of the packed inode holding fragments (0: none).</summary>
    public ulong PackedNid { get; private init; }
    /// <summary>Raw xattr_filter_reserved byte (non-zero disables xattr name filters).</summary>
    public byte XattrFilterReserved { get; private init; }
    /// <summary>Index of the long xattr prefix that content fingerprints use (ishare_xattrs).</summary>
    public byte InodeShareXattrPrefixId { get; private init; }
    /// <summary>Build time, seconds after <see cref="Epoch"/>.</summary>
    public uint BuildTime { get; private init; }
    /// <summary>Nid of the metabox inode (0: none).</summary>
    public ulong MetaboxNid { get; private init; }
    /// <summary>True when the stored checksum was verified (compat SB_CHKSUM); false when the image carries none.</summary>
    public bool ChecksumVerified { get; private init; }

    /// <summary>True when every bit of <paramref name="f"/> is set.</summary>
    public bool Has(IncompatFeatures f) => (Incompat & f) == f;
    /// <summary>True when every bit of <paramref name="f"/> is set.</summary>
    public bool Has(CompatFeatures f) => (Compat & f) == f;
    /// <summary>True for images with 48-bit block addresses.</summary>
    public bool Is48Bit => Has(IncompatFeatures.Blocks48Bit);

    /// <summary>Bitmap of algorithms that compressed inodes may use (bit n = algorithm id n).</summary>
    public int AvailableAlgorithms => Has(IncompatFeatures.CompressionConfigs) ? U1 : 1;

    /// <summary>LZ4 window when no config records exist (0 on disk means 64 KiB).</summary>
    public int LegacyLz4MaxDistance => Has(IncompatFeatures.CompressionConfigs) ? 65535 : (U1 == 0 ? 65535 : U1);

    /// <summary>Build time as a date (epoch plus build time; clamped to years 1..9999).</summary>
    public DateTimeOffset BuildTimestamp => DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(Epoch + BuildTime, -62135596800L, 253402300799L));

    /// <summary>Bytes that the checksum covers, starting at byte 1024, for a block size.</summary>
    public static int ChecksumLength(int blockSizeBits)
    {
        int bs = 1 << blockSizeBits;
        return bs > ErofsConstants.SuperblockOffset ? bs - ErofsConstants.SuperblockOffset : bs;
    }

    /// <summary>Reads blkszbits from the first bytes of the superblock region, validating the magic first.</summary>
    public static int PeekBlockSizeBits(ReadOnlySpan<byte> region)
    {
        if (region.Length < ErofsConstants.SuperblockBaseSize)
            throw new ErofsCorruptImageException("image too small to hold an EROFS superblock", ErofsConstants.SuperblockOffset);
        uint magic = BinaryPrimitives.ReadUInt32LittleEndian(region[Offsets.Magic..]);
        if (magic != ErofsConstants.SuperblockMagic)
            throw new ErofsCorruptImageException($"not an EROFS image: bad superblock magic 0x{magic:x8} (expected 0x{ErofsConstants.SuperblockMagic:x8})", ErofsConstants.SuperblockOffset);
        int bits = region[Offsets.BlockSizeBits];
        if (bits < ErofsConstants.MinBlockSizeBits || bits > ErofsConstants.MaxBlockSizeBits)
            throw new ErofsUnsupportedFeatureException($"block size 2^{bits} is not supported (blkszbits {bits}; supported 512..65536 bytes)",
                ErofsConstants.SuperblockOffset + Offsets.BlockSizeBits);
        return bits;
    }

    /// <summary>
    /// Parses and validates the superblock. <paramref name="region"/> starts at byte 1024 of the device and must hold
    /// at least <see cref="ChecksumLength"/> bytes when the image has a checksum (the superblock itself otherwise).
    /// </summary>
    public static Superblock Parse(ReadOnlySpan<byte> region, bool verifyChecksum = true)
    {
        const long at = ErofsConstants.SuperblockOffset;
        int bits = PeekBlockSizeBits(region);
        var compat = (CompatFeatures)BinaryPrimitives.ReadUInt32LittleEndian(region[Offsets.FeatureCompat..]);
        var incompat = (IncompatFeatures)BinaryPrimitives.ReadUInt32LittleEndian(region[Offsets.FeatureIncompat..]);
        uint unknown = (uint)incompat & ~(uint)IncompatFeatures.AllKnown;
        if (unknown != 0)
            throw new ErofsUnsupportedFeatureException(
                $"image needs unknown incompatible features: {string.Join(", ", FeatureNames.Describe((IncompatFeatures)unknown))}", at + Offsets.FeatureIncompat);

        int extSlots = region[Offsets.ExtSlots];
        int sbSize = ErofsConstants.SuperblockBaseSize + 16 * extSlots;
        if (sbSize > ChecksumLength(bits))
            throw new ErofsCorruptImageException($"superblock extension slots ({extSlots}) run past the superblock block", at + Offsets.ExtSlots);
        if (sbSize > region.Length)
            throw new ErofsCorruptImageException($"image ends inside its {sbSize}-byte superblock", at);

        uint stored = BinaryPrimitives.ReadUInt32LittleEndian(region[Offsets.Checksum..]);
        bool verified = false;
        if ((compat & CompatFeatures.SuperblockChecksum) != 0 && verifyChecksum)
        {
            int len = ChecksumLength(bits);
            if (region.Length < len)
                throw new ErofsCorruptImageException($"image too small for its superblock checksum area ({len} bytes)", at);
            // the checksum field itself counts as zeros
            uint crc = Crc32C.Update(0xFFFFFFFF, region[..Offsets.Checksum]);
            crc = Crc32C.Update(crc, stackalloc byte[4]);
            crc = Crc32C.Update(crc, region[(Offsets.Checksum + 4)..len]);
            if (crc != stored)
                throw new ErofsCorruptImageException($"superblock checksum mismatch: stored 0x{stored:x8}, computed 0x{crc:x8}", at + Offsets.Checksum);
            verified = true;
        }

        bool is48 = (incompat & IncompatFeatures.Blocks48Bit) != 0;
        ushort rootNid2b = BinaryPrimitives.ReadUInt16LittleEndian(region[Offsets.RootNid2B..]);
        ulong rootNid8b = BinaryPrimitives.ReadUInt64LittleEndian(region[Offsets.RootNid8B..]);
        uint blocksLo = BinaryPrimitives.ReadUInt32LittleEndian(region[Offsets.BlocksLow..]);
        ulong rootNid;
        ulong blocks;
        if (is48 && rootNid8b != 0)
        {
            rootNid = rootNid8b;
            blocks = blocksLo | (ulong)rootNid2b << 32;
        }
        else
        {
            rootNid = rootNid2b;
            blocks = blocksLo;
        }

        ulong metaboxNid = 0;
        if (sbSize >= SizeWithMetaboxNid)
            metaboxNid = BinaryPrimitives.ReadUInt64LittleEndian(region[Offsets.MetaboxNid..]);
        bool hasMetabox = (incompat & IncompatFeatures.Metabox) != 0;
        if (hasMetabox && sbSize < SizeWithMetaboxNid)
            throw new ErofsCorruptImageException("metabox feature set but the superblock has no metabox nid slot", at + Offsets.ExtSlots);
        if (!hasMetabox) metaboxNid = 0;
        if ((metaboxNid & ErofsConstants.MetaboxNidBit) != 0)
            throw new ErofsCorruptImageException("metabox nid refers to the metabox itself", at + Offsets.MetaboxNid);
        if ((rootNid & ErofsConstants.MetaboxNidBit) != 0 && !hasMetabox)
            throw new ErofsCorruptImageException("root nid points into a metabox but the image has none", at + Offsets.RootNid8B);

        ulong packedNid = BinaryPrimitives.ReadUInt64LittleEndian(region[Offsets.PackedNid..]);
        if ((packedNid & ErofsConstants.MetaboxNidBit) != 0)
            throw new ErofsCorruptImageException("packed nid has the metabox bit set", at + Offsets.PackedNid);

        ushort u1 = BinaryPrimitives.ReadUInt16LittleEndian(region[Offsets.U1..]);
        if ((incompat & IncompatFeatures.CompressionConfigs) != 0 && (u1 & ~0xF) != 0)
            throw new ErofsUnsupportedFeatureException($"image uses unknown compression algorithms (bitmap 0x{u1:x})", at + Offsets.U1);

        int xattrPrefixCount = region[Offsets.XattrPrefixCount];
        byte ishareId = region[Offsets.InodeShareXattrPrefixId];
        if ((compat & CompatFeatures.InodeShareXattrs) != 0 && ishareId >= xattrPrefixCount)
            throw new ErofsCorruptImageException($"inode-share xattr prefix id {ishareId} out of range ({xattrPrefixCount} prefixes)", at + Offsets.InodeShareXattrPrefixId);

        byte dirBlockBits = region[Offsets.DirBlockBits];
        if (dirBlockBits != 0)
            throw new ErofsUnsupportedFeatureException($"directory block size shift {dirBlockBits} is not supported", at + Offsets.DirBlockBits);

        int extraDevices = (incompat & IncompatFeatures.DeviceTable) != 0 ? BinaryPrimitives.ReadUInt16LittleEndian(region[Offsets.ExtraDevices..]) : 0;

        var uuid = region.Slice(Offsets.Uuid, UuidLength).ToArray();
        var label = region.Slice(Offsets.VolumeName, VolumeNameLength);
        int nul = label.IndexOf((byte)0);
        if (nul >= 0) label = label[..nul];

        return new Superblock
        {
            Checksum = stored,
            Compat = compat,
            Incompat = incompat,
            BlockSizeBits = bits,
            ExtSlots = extSlots,
            RootNid = rootNid,
            InodeCount = BinaryPrimitives.ReadUInt64LittleEndian(region[Offsets.Inodes..]),
            Epoch = BinaryPrimitives.ReadInt64LittleEndian(region[Offsets.Epoch..]),
            FixedNanoseconds = BinaryPrimitives.ReadUInt32LittleEndian(region[Offsets.FixedNanoseconds..]),
            Blocks = blocks,
            MetaBlockAddress = BinaryPrimitives.ReadUInt32LittleEndian(region[Offsets.MetaBlockAddress..]),
            XattrBlockAddress = BinaryPrimitives.ReadUInt32LittleEndian(region[Offsets.XattrBlockAddress..]),
            Uuid = new Guid(uuid, bigEndian: true),
            UuidBytes = uuid,
            VolumeName = System.Text.Encoding.UTF8.GetString(label),
            U1 = u1,
            ExtraDevices = extraDevices,
            DeviceTableSlotOffset = BinaryPrimitives.ReadUInt16LittleEndian(region[Offsets.DeviceTableSlotOffset..]),
            DirBlockBits = dirBlockBits,
            XattrPrefixCount = xattrPrefixCount,
            XattrPrefixStart = BinaryPrimitives.ReadUInt32LittleEndian(region[Offsets.XattrPrefixStart..]),
            PackedNid = packedNid,
            XattrFilterReserved = region[Offsets.XattrFilterReserved],
            InodeShareXattrPrefixId = ishareId,
            BuildTime = BinaryPrimitives.ReadUInt32LittleEndian(region[Offsets.BuildTime..]),
            MetaboxNid = metaboxNid,
            ChecksumVerified = verified,
        };
    }
}
