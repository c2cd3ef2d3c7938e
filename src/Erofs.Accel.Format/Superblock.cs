using System.Buffers.Binary;

namespace Erofs.Accel.Format;

/// <summary>The EROFS superblock (at byte 1024 of the primary device), decoded and validated.</summary>
public sealed class Superblock
{
    /// <summary>Byte offsets of the fields of struct erofs_super_block, from its start (byte 1024 of the device).</summary>
    public static class Offsets
    {
        public const int Magic = 0;
        public const int Checksum = 4;
        public const int FeatureCompat = 8;
        public const int BlockSizeBits = 12;
        public const int ExtSlots = 13;
        /// <summary>__le16 rootnid_2b, or (48-bit images with rootnid_8b) blocks_hi.</summary>
        public const int RootNid2B = 14;
        public const int Inodes = 16;
        public const int Epoch = 24;
        public const int FixedNanoseconds = 32;
        public const int BlocksLow = 36;
        public const int MetaBlockAddress = 40;
        public const int XattrBlockAddress = 44;
        public const int Uuid = 48;
        public const int VolumeName = 64;
        public const int FeatureIncompat = 80;
        /// <summary>__le16 available_compr_algs (COMPR_CFGS) or lz4_max_distance.</summary>
        public const int U1 = 84;
        public const int ExtraDevices = 86;
        public const int DeviceTableSlotOffset = 88;
        public const int DirBlockBits = 90;
        public const int XattrPrefixCount = 91;
        public const int XattrPrefixStart = 92;
        public const int PackedNid = 96;
        public const int XattrFilterReserved = 104;
        public const int InodeShareXattrPrefixId = 105;
        public const int BuildTime = 108;
        public const int RootNid8B = 112;
        /// <summary>__le64 metabox_nid: only in superblocks of at least <see cref="SizeWithMetaboxNid"/> bytes.</summary>
        public const int MetaboxNid = 128;
    }

    /// <summary>Bytes of UUID and of volume name.</summary>
    public const int UuidLength = 16, VolumeNameLength = 16;

    /// <summary>Smallest superblock (128 + one 16-byte extension slot) that holds metabox_nid.</summary>
    public const int SizeWithMetaboxNid = 144;

    public uint Checksum { get; private init; }
    public CompatFeatures Compat { get; private init; }
    public IncompatFeatures Incompat { get; private init; }
    public int BlockSizeBits { get; private init; }
    public int BlockSize => 1 << BlockSizeBits;
    public int ExtSlots { get; private init; }
    /// <summary>Size in bytes of the on-disk superblock (128 + 16 * extslots).</summary>
    public int Size => ErofsConstants.SuperblockBaseSize + 16 * ExtSlots;
    public ulong RootNid { get; private init; }
    public ulong InodeCount { get; private init; }
    public long Epoch { get; private init; }
    public uint FixedNanoseconds { get; private init; }
    /// <summary>Blocks of the primary device.</summary>
    public ulong Blocks { get; private init; }
    public uint MetaBlockAddress { get; private init; }
    public uint XattrBlockAddress { get; private init; }
    public Guid Uuid { get; private init; }
    public byte[] UuidBytes { get; private init; } = Array.Empty<byte>();
    public string VolumeName { get; private init; } = "";
    /// <summary>Raw u1 field: lz4_max_distance without COMPR_CFGS, else the algorithm bitmap.</summary>
    public ushort U1 { get; private init; }
    public int ExtraDevices { get; private init; }
    public int DeviceTableSlotOffset { get; private init; }
    public byte DirBlockBits { get; private init; }
    public int XattrPrefixCount { get; private init; }
    public uint XattrPrefixStart { get; private init; }
    public ulong PackedNid { get; private init; }
    public byte XattrFilterReserved { get; private init; }
    public byte InodeShareXattrPrefixId { get; private init; }
    public uint BuildTime { get; private init; }
    public ulong MetaboxNid { get; private init; }
    /// <summary>True when the stored checksum was verified (compat SB_CHKSUM); false when the image carries none.</summary>
    public bool ChecksumVerified { get; private init; }

    public bool Has(IncompatFeatures f) => (Incompat & f) == f;
    public bool Has(CompatFeatures f) => (Compat & f) == f;
    public bool Is48Bit => Has(IncompatFeatures.Blocks48Bit);

    /// <summary>Bitmap of algorithms that compressed inodes may use (bit n = algorithm id n).</summary>
    public int AvailableAlgorithms => Has(IncompatFeatures.CompressionConfigs) ? U1 : 1;

    /// <summary>LZ4 window when no config records exist (0 on disk means 64 KiB).</summary>
    public int LegacyLz4MaxDistance => Has(IncompatFeatures.CompressionConfigs) ? 65535 : (U1 == 0 ? 65535 : U1);

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
