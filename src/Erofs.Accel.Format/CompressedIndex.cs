using System.Buffers.Binary;
using Erofs.Accel.Decompression;

namespace Erofs.Accel.Format;

/// <summary>h_advise bits of <see cref="MapHeader"/> (Z_EROFS_ADVISE_*).</summary>
[Flags]
public enum MapAdvise : ushort
{
    /// <summary>No advise bits set.</summary>
    None = 0,
    /// <summary>COMPRESSED_COMPACT: 2-byte packs in the middle of the index (COMPACTED_2B).</summary>
    Compacted2B = 0x0001,
    /// <summary>COMPRESSED_FULL on 48-bit images: extent records instead of lcluster indexes (EXTENTS; the same bit).</summary>
    Extents = 0x0001,
    /// <summary>HEAD1 pclusters may span several blocks (the count is in the first NONHEAD lcluster).</summary>
    BigPcluster1 = 0x0002,
    /// <summary>HEAD2 pclusters may span several blocks.</summary>
    BigPcluster2 = 0x0004,
    /// <summary>The tail pcluster is inline after the index (ztailpacking); its size is h_idata_size.</summary>
    InlinePcluster = 0x0008,
    /// <summary>Uncompressed pclusters are stored rotated within their block.</summary>
    Interlaced = 0x0010,
    /// <summary>The tail extent lives in the packed inode at h_fragmentoff.</summary>
    Fragment = 0x0020,
}

/// <summary>Type of an lcluster (Z_EROFS_LCLUSTER_TYPE_*).</summary>
public enum LclusterType : byte
{
    /// <summary>Head of an uncompressed extent.</summary>
    Plain = 0,
    /// <summary>Head of an extent compressed with the first algorithm of the map header.</summary>
    Head1 = 1,
    /// <summary>Inside an extent: deltas to its head and to the next head.</summary>
    NonHead = 2,
    /// <summary>Head of an extent compressed with the second algorithm of the map header.</summary>
    Head2 = 3,
}

/// <summary>
/// struct z_erofs_map_header (8 bytes): at the first 8-byte boundary after a compressed inode's core and inline
/// xattrs. The three unions are read through the property that fits the inode (see each property).
/// </summary>
public readonly struct MapHeader
{
    /// <summary>Bytes of the on-disk map header.</summary>
    public const int Size = 8;

    /// <summary>Byte offsets of the fields of struct z_erofs_map_header.</summary>
    public static class Offsets
    {
        /// <summary>__le32 h_fragmentoff / h_extents_lo (union).</summary>
        public const int FragmentOffset = 0;
        /// <summary>__le32 h_extents_lo: low 32 bits of the extent count (48-bit images with extent records; same bytes as h_fragmentoff).</summary>
        public const int ExtentCountLow = 0;
        /// <summary>__le16 h_idata_size, after __le16 h_reserved1.</summary>
        public const int InlineDataSize = 2;
        /// <summary>__le16 h_advise: <see cref="MapAdvise"/> bits.</summary>
        public const int Advise = 4;
        /// <summary>__u8 h_algorithmtype (HEAD1 in bits 0-3, HEAD2 in bits 4-7) / the low byte of h_extents_hi.</summary>
        public const int AlgorithmType = 6;
        /// <summary>__le16 h_extents_hi: high bits of the extent count (48-bit extent records; same bytes as h_algorithmtype and h_clusterbits).</summary>
        public const int ExtentCountHigh = 6;
        /// <summary>__u8 h_clusterbits (lcluster bits - block bits in 0-3; bit 7: whole file in the packed inode).</summary>
        public const int ClusterBits = 7;
    }

    /// <summary>Bit of h_clusterbits saying the whole file is a fragment (Z_EROFS_FRAGMENT_INODE_BIT).</summary>
    public const byte WholeFileFragmentFlag = 0x80;

    private readonly ulong _raw;

    private MapHeader(ulong raw) => _raw = raw;

    /// <summary>Decodes the first <see cref="Size"/> bytes of <paramref name="raw"/>.</summary>
    public static MapHeader Parse(ReadOnlySpan<byte> raw) => new(BinaryPrimitives.ReadUInt64LittleEndian(raw));

    /// <summary>Where the map header of an inode whose core and inline xattrs end at <paramref name="payloadPosition"/> lies.</summary>
    public static long PositionAfter(long payloadPosition) => (payloadPosition + 7) & ~7L;

    private ushort U16(int offset) => (ushort)(_raw >> (offset * 8));
    private byte U8(int offset) => (byte)(_raw >> (offset * 8));

    /// <summary>The whole file is stored in the packed inode (bit 7 of h_clusterbits, i.e. bit 63 of the header).</summary>
    public bool IsWholeFileFragment => (U8(Offsets.ClusterBits) & WholeFileFragmentFlag) != 0;

    /// <summary>With <see cref="IsWholeFileFragment"/>: the file's offset in the packed inode (the other 63 bits).</summary>
    public ulong WholeFileFragmentOffset => _raw & ~(1UL << 63);

    /// <summary>h_fragmentoff: low 32 bits of the tail fragment's offset in the packed inode (<see cref="MapAdvise.Fragment"/>).</summary>
    public uint FragmentOffset => (uint)(_raw >> (Offsets.FragmentOffset * 8));

    /// <summary>h_idata_size: bytes of the inline tail pcluster (<see cref="MapAdvise.InlinePcluster"/>).</summary>
    public ushort InlineDataSize => U16(Offsets.InlineDataSize);

    /// <summary>The h_advise bits.</summary>
    public MapAdvise Advise => (MapAdvise)U16(Offsets.Advise);

    /// <summary>True when every bit of <paramref name="flag"/> is set in h_advise.</summary>
    public bool Has(MapAdvise flag) => (Advise & flag) == flag;

    /// <summary>Algorithm of HEAD1 lclusters (low nibble of h_algorithmtype).</summary>
    public CompressionAlgorithm Head1Algorithm => (CompressionAlgorithm)(U8(Offsets.AlgorithmType) & 0x0F);

    /// <summary>Algorithm of HEAD2 lclusters (high nibble of h_algorithmtype).</summary>
    public CompressionAlgorithm Head2Algorithm => (CompressionAlgorithm)(U8(Offsets.AlgorithmType) >> 4);

    /// <summary>log2(lcluster size) - log2(block size): bits 0-3 of h_clusterbits.</summary>
    public int LclusterBitsOverBlock => U8(Offsets.ClusterBits) & 0x0F;

    /// <summary>Extent records (<see cref="MapAdvise.Extents"/>): h_extents_lo | h_extents_hi &lt;&lt; 32.</summary>
    public ulong ExtentCount => (uint)(_raw >> (Offsets.ExtentCountLow * 8)) | (ulong)U16(Offsets.ExtentCountHigh) << 32;

    /// <summary>Extent records: bytes per record, 4 &lt;&lt; h_advise bits 1-2 (Z_EROFS_ADVISE_EXTRECSZ).</summary>
    public int ExtentRecordSize => 4 << (((ushort)Advise >> 1) & 3);

    /// <summary>COMPRESSED_FULL lcluster indexes start 8 bytes after the header (Z_EROFS_FULL_INDEX_START).</summary>
    public static long FullIndexStart(long headerPosition) => headerPosition + Size + 8;

    /// <summary>COMPRESSED_COMPACT indexes start right after the header.</summary>
    public static long CompactIndexStart(long headerPosition) => headerPosition + Size;

    /// <summary>Extent records start after the header, aligned to their size.</summary>
    public static long ExtentRecordsStart(long headerPosition, int recordSize) => (headerPosition + Size + recordSize - 1) & ~(long)(recordSize - 1);
}

/// <summary>struct z_erofs_lcluster_index (8 bytes): one lcluster of a COMPRESSED_FULL index.</summary>
public readonly struct LclusterIndex
{
    /// <summary>Bytes of one on-disk lcluster index.</summary>
    public const int Size = 8;

    /// <summary>Byte offsets of the fields of struct z_erofs_lcluster_index.</summary>
    public static class Offsets
    {
        /// <summary>__le16 di_advise: lcluster type (bits 0-1) and the partial-reference flag.</summary>
        public const int Advise = 0;
        /// <summary>__le16 di_clusterofs: where the head's extent starts within its lcluster.</summary>
        public const int ClusterOffset = 2;
        /// <summary>di_u.blkaddr (HEAD lclusters) / di_u.delta[0] (NONHEAD).</summary>
        public const int BlockAddress = 4;
        /// <summary>di_u.delta[0] (NONHEAD): distance back to the head lcluster (the same bytes as the block address).</summary>
        public const int Delta0 = 4;
        /// <summary>di_u.delta[1] (NONHEAD): distance to the next head.</summary>
        public const int Delta1 = 6;
    }

    /// <summary>di_advise bits 0-1: the lcluster type.</summary>
    public const ushort TypeMask = 0x0003;

    /// <summary>di_advise bit 15: the head's pcluster decodes to more than this extent (Z_EROFS_LI_PARTIAL_REF).</summary>
    public const ushort PartialReferenceFlag = 0x8000;

    /// <summary>delta[0] bit 11 on the first NONHEAD of a big pcluster: the rest is its block count (Z_EROFS_LI_D0_CBLKCNT).</summary>
    public const ushort CompressedBlockCountFlag = 0x0800;

    private readonly ulong _raw;

    private LclusterIndex(ulong raw) => _raw = raw;

    /// <summary>Decodes the first 8 bytes of <paramref name="raw"/>.</summary>
    public static LclusterIndex Parse(ReadOnlySpan<byte> raw) => new(BinaryPrimitives.ReadUInt64LittleEndian(raw));

    private ushort U16(int offset) => (ushort)(_raw >> (offset * 8));

    /// <summary>The lcluster type (di_advise bits 0-1).</summary>
    public LclusterType Type => (LclusterType)(U16(Offsets.Advise) & TypeMask);
    /// <summary>True when the extent uses only part of what its pcluster decodes to (deduplicated data).</summary>
    public bool IsPartialReference => (U16(Offsets.Advise) & PartialReferenceFlag) != 0;
    /// <summary>di_clusterofs: where the head's extent starts within its lcluster, in bytes.</summary>
    public ushort ClusterOffset => U16(Offsets.ClusterOffset);
    /// <summary>di_u.blkaddr of a HEAD or PLAIN lcluster: the pcluster's first block.</summary>
    public uint BlockAddress => (uint)(_raw >> (Offsets.BlockAddress * 8));
    /// <summary>di_u.delta[0] of a NONHEAD lcluster: lclusters back to its head (the pcluster block count in the first NONHEAD of a big pcluster, with the CBLKCNT flag).</summary>
    public ushort Delta0 => U16(Offsets.Delta0);
    /// <summary>di_u.delta[1] of a NONHEAD lcluster: lclusters on to the next head.</summary>
    public ushort Delta1 => U16(Offsets.Delta1);

    /// <summary>Byte position of lcluster <paramref name="lcn"/>'s index given the map header's position.</summary>
    public static long Position(long headerPosition, long lcn) => MapHeader.FullIndexStart(headerPosition) + lcn * Size;
}

/// <summary>One decoded entry of a compact index pack: its type and its low bits (cluster offset or delta).</summary>
public readonly record struct CompactIndexEntry(LclusterType Type, int Low);

/// <summary>
/// A pack of COMPRESSED_COMPACT lcluster indexes: 2 entries in 8 bytes (4B packs) or 16 entries in 32 bytes (2B
/// packs). Entries are a little-endian bit stream of (lo bits, 2 type bits) each; the pack ends with the __le32
/// block address of its first pcluster.
/// </summary>
public readonly ref struct CompactIndexPack
{
    /// <summary>Entries and bytes of a pack of 4-byte entries.</summary>
    public const int EntriesPer4BPack = 2, BytesPer4BPack = 8;
    /// <summary>Entries and bytes of a pack of 2-byte entries (only with <see cref="MapAdvise.Compacted2B"/>).</summary>
    public const int EntriesPer2BPack = 16, BytesPer2BPack = 32;

    private readonly ReadOnlySpan<byte> _pack;
    private readonly int _lowBits;
    private readonly int _encodeBits;

    /// <param name="pack">The whole pack (8 or 32 bytes).</param>
    /// <param name="lclusterBits">log2 of the lcluster size: the low bits are max(lclusterBits, 12) wide.</param>
    public CompactIndexPack(ReadOnlySpan<byte> pack, int lclusterBits)
    {
        if (pack.Length is not (BytesPer4BPack or BytesPer2BPack)) throw new ArgumentException($"a compact pack is 8 or 32 bytes, not {pack.Length}", nameof(pack));
        _pack = pack;
        Count = pack.Length == BytesPer4BPack ? EntriesPer4BPack : EntriesPer2BPack;
        _lowBits = Math.Max(lclusterBits, 12);
        _encodeBits = (pack.Length - 4) * 8 / Count;
    }

    /// <summary>Entries in the pack.</summary>
    public int Count { get; }

    /// <summary>Block address of the pack's first pcluster (the trailing __le32).</summary>
    public uint BaseBlockAddress => BinaryPrimitives.ReadUInt32LittleEndian(_pack[^4..]);

    /// <summary>Decodes entry <paramref name="index"/> (0 &lt;= index &lt; <see cref="Count"/>).</summary>
    public CompactIndexEntry this[int index]
    {
        get
        {
            if ((uint)index >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(index));
            int bit = _encodeBits * index;
            int at = bit >> 3;
            uint v = 0;
            for (int k = 0; k < 4 && at + k < _pack.Length; k++) v |= (uint)_pack[at + k] << (8 * k);
            v >>= bit & 7;
            return new CompactIndexEntry((LclusterType)((v >> _lowBits) & 3), (int)(v & ((1u << _lowBits) - 1)));
        }
    }
}

/// <summary>
/// Where each lcluster's entry of a COMPRESSED_COMPACT index lies: 4B packs up to the first 32-byte boundary, then
/// (with <see cref="MapAdvise.Compacted2B"/>) as many whole 2B packs as fit, then 4B packs again.
/// </summary>
public readonly struct CompactIndexLayout
{
    private readonly long _start;
    private readonly long _initial4B;
    private readonly long _compacted2B;

    /// <param name="start">Position of the first entry (<see cref="MapHeader.CompactIndexStart"/>).</param>
    /// <param name="entries">Entries in the index: one per block of the file.</param>
    /// <param name="compacted2B">The map header has <see cref="MapAdvise.Compacted2B"/>.</param>
    public CompactIndexLayout(long start, long entries, bool compacted2B)
    {
        _start = start;
        Entries = entries;
        _initial4B = ((32 - start % 32) / 4) & 7;
        _compacted2B = compacted2B && _initial4B < entries ? (entries - _initial4B) / 16 * 16 : 0;
    }

    /// <summary>Entries in the index: one per lcluster of the file.</summary>
    public long Entries { get; }

    /// <summary>Finds entry <paramref name="lcn"/>: the pack that holds it (position and size) and its index there.</summary>
    public void Locate(long lcn, out long packPosition, out int packBytes, out int indexInPack)
    {
        if (lcn < 0 || lcn >= Entries) throw new ArgumentOutOfRangeException(nameof(lcn));
        long position = _start;
        int entryBytes = 4;
        long rest = lcn;
        if (rest >= _initial4B)
        {
            position += _initial4B * 4;
            rest -= _initial4B;
            if (rest < _compacted2B) entryBytes = 2;
            else
            {
                position += _compacted2B * 2;
                rest -= _compacted2B;
            }
        }
        position += rest * entryBytes;
        packBytes = entryBytes == 4 ? CompactIndexPack.BytesPer4BPack : CompactIndexPack.BytesPer2BPack;
        packPosition = position & ~(long)(packBytes - 1);
        indexInPack = (int)((position - packPosition) / entryBytes);
    }
}

/// <summary>
/// struct z_erofs_extent (48-bit images, <see cref="MapAdvise.Extents"/>): records of 4, 8, 16 or 32 bytes, each a
/// prefix of the full 32-byte record. 4-byte records hold only the length (physical starts run on from a __le64
/// before the first record; one record per lcluster); 8-byte records add the low 32 bits of the physical start (one
/// record per lcluster); 16- and 32-byte records carry the logical start and are sorted by it.
/// </summary>
public readonly struct ExtentRecord
{
    /// <summary>Bytes of the largest (32-byte) extent record.</summary>
    public const int Size = 32;

    /// <summary>Byte offsets of the fields of struct z_erofs_extent.</summary>
    public static class Offsets
    {
        /// <summary>__le32 plen: encoded length (bits 0-20), partial flag (bit 27), format (bits 28-31).</summary>
        public const int EncodedLength = 0;
        /// <summary>__le32 pstart_lo: low 32 bits of the physical start in bytes (8-byte records and longer).</summary>
        public const int PhysicalStartLow = 4;
        /// <summary>__le32 pstart_hi: high bits of the physical start (16-byte records and longer).</summary>
        public const int PhysicalStartHigh = 8;
        /// <summary>__le32 lstart_lo: low 32 bits of the logical start in bytes (16-byte records and longer).</summary>
        public const int LogicalStartLow = 12;
        /// <summary>__le32 lstart_hi: high bits of the logical start (32-byte records).</summary>
        public const int LogicalStartHigh = 16;
    }

    /// <summary>Bits of plen that hold the pcluster's byte length (Z_EROFS_EXTENT_PLEN_MASK).</summary>
    public const uint LengthMask = 0x1FFFFF;

    /// <summary>plen bit 27: the pcluster decodes to more than this extent (Z_EROFS_EXTENT_PLEN_PARTIAL).</summary>
    public const uint PartialReferenceFlag = 1u << 27;

    /// <summary>plen bits 28-31: 0 = stored uncompressed, n = compressed with algorithm n - 1 (Z_EROFS_EXTENT_PLEN_FMT_BIT).</summary>
    public const int FormatShift = 28;

    private ExtentRecord(uint encodedLength, ulong physicalStart, ulong logicalStart)
    {
        RawEncodedLength = encodedLength;
        PhysicalStart = physicalStart;
        LogicalStart = logicalStart;
    }

    /// <summary>Decodes a record of <paramref name="record"/>.Length bytes (4, 8, 16 or 32); absent fields read as 0.</summary>
    public static ExtentRecord Parse(ReadOnlySpan<byte> record)
    {
        if (record.Length is not (4 or 8 or 16 or 32)) throw new ArgumentException($"an extent record is 4, 8, 16 or 32 bytes, not {record.Length}", nameof(record));
        uint plen = BinaryPrimitives.ReadUInt32LittleEndian(record);
        ulong physical = 0, logical = 0;
        if (record.Length >= 8) physical = BinaryPrimitives.ReadUInt32LittleEndian(record[Offsets.PhysicalStartLow..]);
        if (record.Length >= 16)
        {
            physical |= (ulong)BinaryPrimitives.ReadUInt32LittleEndian(record[Offsets.PhysicalStartHigh..]) << 32;
            logical = BinaryPrimitives.ReadUInt32LittleEndian(record[Offsets.LogicalStartLow..]);
        }
        if (record.Length >= 32) logical |= (ulong)BinaryPrimitives.ReadUInt32LittleEndian(record[Offsets.LogicalStartHigh..]) << 32;
        return new ExtentRecord(plen, physical, logical);
    }

    /// <summary>The whole plen field (the last record of a file with a fragment keeps the fragment offset here).</summary>
    public uint RawEncodedLength { get; }

    /// <summary>Physical start (bytes) as far as the record holds it.</summary>
    public ulong PhysicalStart { get; }

    /// <summary>Logical start (16- and 32-byte records).</summary>
    public ulong LogicalStart { get; }

    /// <summary>Bytes of the pcluster; 0 means a hole.</summary>
    public int Length => (int)(RawEncodedLength & LengthMask);

    /// <summary>True when the extent uses only a prefix of what its pcluster decodes to (plen bit 27).</summary>
    public bool IsPartialReference => (RawEncodedLength & PartialReferenceFlag) != 0;

    /// <summary>True when the pcluster is compressed (format field non-zero).</summary>
    public bool IsCompressed => RawEncodedLength >> FormatShift != 0;

    /// <summary>The algorithm of a compressed pcluster (format field - 1).</summary>
    public CompressionAlgorithm Algorithm => (CompressionAlgorithm)((RawEncodedLength >> FormatShift) - 1);
}
