using System.Buffers.Binary;
using Erofs.Accel.Decompression;
using Erofs.Accel.Format;

namespace Erofs.Accel.Format.Tests;

/// <summary>
/// The named offsets and sizes of the on-disk structs are those of erofs-utils 1.9.3 include/erofs_fs.h (the numbers
/// below are written out from the C structs, not from our constants), and each parser reads its fields from there.
/// </summary>
public sealed class OnDiskLayoutTests
{
    [Fact]
    public void SuperblockOffsetsMatchErofsSuperBlock()
    {
        Assert.Equal(0, Superblock.Offsets.Magic);
        Assert.Equal(4, Superblock.Offsets.Checksum);
        Assert.Equal(8, Superblock.Offsets.FeatureCompat);
        Assert.Equal(12, Superblock.Offsets.BlockSizeBits);
        Assert.Equal(13, Superblock.Offsets.ExtSlots);
        Assert.Equal(14, Superblock.Offsets.RootNid2B);
        Assert.Equal(16, Superblock.Offsets.Inodes);
        Assert.Equal(24, Superblock.Offsets.Epoch);
        Assert.Equal(32, Superblock.Offsets.FixedNanoseconds);
        Assert.Equal(36, Superblock.Offsets.BlocksLow);
        Assert.Equal(40, Superblock.Offsets.MetaBlockAddress);
        Assert.Equal(44, Superblock.Offsets.XattrBlockAddress);
        Assert.Equal(48, Superblock.Offsets.Uuid);
        Assert.Equal(64, Superblock.Offsets.VolumeName);
        Assert.Equal(80, Superblock.Offsets.FeatureIncompat);
        Assert.Equal(84, Superblock.Offsets.U1);
        Assert.Equal(86, Superblock.Offsets.ExtraDevices);
        Assert.Equal(88, Superblock.Offsets.DeviceTableSlotOffset);
        Assert.Equal(90, Superblock.Offsets.DirBlockBits);
        Assert.Equal(91, Superblock.Offsets.XattrPrefixCount);
        Assert.Equal(92, Superblock.Offsets.XattrPrefixStart);
        Assert.Equal(96, Superblock.Offsets.PackedNid);
        Assert.Equal(104, Superblock.Offsets.XattrFilterReserved);
        Assert.Equal(105, Superblock.Offsets.InodeShareXattrPrefixId);
        Assert.Equal(108, Superblock.Offsets.BuildTime);
        Assert.Equal(112, Superblock.Offsets.RootNid8B);
        Assert.Equal(128, Superblock.Offsets.MetaboxNid);
        Assert.Equal(144, Superblock.SizeWithMetaboxNid); // BUILD_BUG_ON(sizeof(struct erofs_super_block) != 144)
    }

    [Fact]
    public void CompressedIndexOffsetsMatchErofsFsH()
    {
        Assert.Equal(8, MapHeader.Size);
        Assert.Equal(0, MapHeader.Offsets.FragmentOffset);
        Assert.Equal(0, MapHeader.Offsets.ExtentCountLow);
        Assert.Equal(2, MapHeader.Offsets.InlineDataSize);
        Assert.Equal(4, MapHeader.Offsets.Advise);
        Assert.Equal(6, MapHeader.Offsets.AlgorithmType);
        Assert.Equal(6, MapHeader.Offsets.ExtentCountHigh);
        Assert.Equal(7, MapHeader.Offsets.ClusterBits);

        Assert.Equal(8, LclusterIndex.Size);
        Assert.Equal(0, LclusterIndex.Offsets.Advise);
        Assert.Equal(2, LclusterIndex.Offsets.ClusterOffset);
        Assert.Equal(4, LclusterIndex.Offsets.BlockAddress);
        Assert.Equal(4, LclusterIndex.Offsets.Delta0);
        Assert.Equal(6, LclusterIndex.Offsets.Delta1);
        Assert.Equal(0x8000, LclusterIndex.PartialReferenceFlag); // Z_EROFS_LI_PARTIAL_REF
        Assert.Equal(0x0800, LclusterIndex.CompressedBlockCountFlag); // Z_EROFS_LI_D0_CBLKCNT

        Assert.Equal(32, ExtentRecord.Size);
        Assert.Equal(0, ExtentRecord.Offsets.EncodedLength);
        Assert.Equal(4, ExtentRecord.Offsets.PhysicalStartLow);
        Assert.Equal(8, ExtentRecord.Offsets.PhysicalStartHigh);
        Assert.Equal(12, ExtentRecord.Offsets.LogicalStartLow);
        Assert.Equal(16, ExtentRecord.Offsets.LogicalStartHigh);
        Assert.Equal(0x1FFFFFu, ExtentRecord.LengthMask); // (Z_EROFS_PCLUSTER_MAX_SIZE << 1) - 1
        Assert.Equal(1u << 27, ExtentRecord.PartialReferenceFlag);
        Assert.Equal(28, ExtentRecord.FormatShift);

        Assert.Equal((MapAdvise)0x01, MapAdvise.Compacted2B);
        Assert.Equal((MapAdvise)0x02, MapAdvise.BigPcluster1);
        Assert.Equal((MapAdvise)0x04, MapAdvise.BigPcluster2);
        Assert.Equal((MapAdvise)0x08, MapAdvise.InlinePcluster);
        Assert.Equal((MapAdvise)0x10, MapAdvise.Interlaced);
        Assert.Equal((MapAdvise)0x20, MapAdvise.Fragment);
    }

    [Fact]
    public void MapHeaderReadsEveryUnionFromItsOffset()
    {
        var raw = new byte[8];
        BinaryPrimitives.WriteUInt16LittleEndian(raw.AsSpan(2), 1234);           // h_idata_size
        BinaryPrimitives.WriteUInt16LittleEndian(raw.AsSpan(4), 0x0008 | 0x0002); // h_advise
        raw[6] = 0x31;                                                          // HEAD1 lzma, HEAD2 zstd
        raw[7] = 0x03;                                                          // lcluster = block << 3
        var h = MapHeader.Parse(raw);
        Assert.Equal(1234, h.InlineDataSize);
        Assert.Equal(MapAdvise.InlinePcluster | MapAdvise.BigPcluster1, h.Advise);
        Assert.Equal(CompressionAlgorithm.MicroLzma, h.Head1Algorithm);
        Assert.Equal(CompressionAlgorithm.Zstd, h.Head2Algorithm);
        Assert.Equal(3, h.LclusterBitsOverBlock);
        Assert.False(h.IsWholeFileFragment);
        Assert.Equal(1234u << 16, h.FragmentOffset);

        // h_extents_lo | h_extents_hi << 32, record size from h_advise bits 1-2
        BinaryPrimitives.WriteUInt32LittleEndian(raw, 0x89ABCDEF);
        BinaryPrimitives.WriteUInt16LittleEndian(raw.AsSpan(4), 0x0001 | (2 << 1));
        BinaryPrimitives.WriteUInt16LittleEndian(raw.AsSpan(6), 0x0042);
        h = MapHeader.Parse(raw);
        Assert.Equal(0x42_89ABCDEFUL, h.ExtentCount);
        Assert.Equal(16, h.ExtentRecordSize);
        Assert.True(h.Has(MapAdvise.Extents));

        // whole-file fragment: bit 63, the other 63 bits are the offset in the packed inode
        BinaryPrimitives.WriteUInt64LittleEndian(raw, (1UL << 63) | 0x1_0000_0042UL);
        h = MapHeader.Parse(raw);
        Assert.True(h.IsWholeFileFragment);
        Assert.Equal(0x1_0000_0042UL, h.WholeFileFragmentOffset);

        Assert.Equal(16, MapHeader.PositionAfter(9));
        Assert.Equal(16, MapHeader.PositionAfter(16));
        Assert.Equal(16 + 16 + 3 * 8, LclusterIndex.Position(16, 3));
        Assert.Equal(24, MapHeader.CompactIndexStart(16));
        Assert.Equal(32, MapHeader.ExtentRecordsStart(16, 16));
        Assert.Equal(24, MapHeader.ExtentRecordsStart(16, 8));
    }

    [Fact]
    public void LclusterIndexReadsHeadAndNonHeadFields()
    {
        var raw = new byte[8];
        BinaryPrimitives.WriteUInt16LittleEndian(raw, 0x8000 | 3);
        BinaryPrimitives.WriteUInt16LittleEndian(raw.AsSpan(2), 0x123);
        BinaryPrimitives.WriteUInt32LittleEndian(raw.AsSpan(4), 0xDEADBEEF);
        var head = LclusterIndex.Parse(raw);
        Assert.Equal(LclusterType.Head2, head.Type);
        Assert.True(head.IsPartialReference);
        Assert.Equal(0x123, head.ClusterOffset);
        Assert.Equal(0xDEADBEEFu, head.BlockAddress);

        BinaryPrimitives.WriteUInt16LittleEndian(raw, 2);
        BinaryPrimitives.WriteUInt16LittleEndian(raw.AsSpan(4), 0x0800 | 5);
        BinaryPrimitives.WriteUInt16LittleEndian(raw.AsSpan(6), 9);
        var nonHead = LclusterIndex.Parse(raw);
        Assert.Equal(LclusterType.NonHead, nonHead.Type);
        Assert.False(nonHead.IsPartialReference);
        Assert.Equal(0x0805, nonHead.Delta0);
        Assert.Equal(9, nonHead.Delta1);
    }

    [Fact]
    public void CompactPacksDecodeTheirBitStream()
    {
        // a 4B pack: 2 entries of (8 - 4) * 8 / 2 = 16 bits (12 lo bits and 2 type bits used for 4 KiB lclusters),
        // then the base address: HEAD1 at cluster offset 0x345, NONHEAD with delta 1
        uint bits = 0x345u | (1u << 12) | ((1u | (2u << 12)) << 16);
        var pack4 = new byte[8];
        BinaryPrimitives.WriteUInt32LittleEndian(pack4, bits);
        BinaryPrimitives.WriteUInt32LittleEndian(pack4.AsSpan(4), 777);
        var p = new CompactIndexPack(pack4, 12);
        Assert.Equal(2, p.Count);
        Assert.Equal(new CompactIndexEntry(LclusterType.Head1, 0x345), p[0]);
        Assert.Equal(new CompactIndexEntry(LclusterType.NonHead, 1), p[1]);
        Assert.Equal(777u, p.BaseBlockAddress);

        // a 2B pack: 16 entries of 14 bits in 28 bytes, then the base address
        var pack2 = new byte[32];
        var entries = Enumerable.Range(0, 16).Select(i => (Type: (uint)(i % 4), Low: (uint)(i * 97 % 4096))).ToArray();
        for (int i = 0; i < 16; i++)
        {
            ulong v = entries[i].Low | entries[i].Type << 12;
            int bit = i * 14;
            for (int b = 0; b < 14; b++)
                if ((v >> b & 1) != 0) pack2[(bit + b) >> 3] |= (byte)(1 << ((bit + b) & 7));
        }
        BinaryPrimitives.WriteUInt32LittleEndian(pack2.AsSpan(28), 4242);
        p = new CompactIndexPack(pack2, 12);
        Assert.Equal(16, p.Count);
        for (int i = 0; i < 16; i++) Assert.Equal(new CompactIndexEntry((LclusterType)entries[i].Type, (int)entries[i].Low), p[i]);
        Assert.Equal(4242u, p.BaseBlockAddress);
        Assert.Throws<ArgumentException>(() => new CompactIndexPack(new byte[16], 12));
    }

    [Fact]
    public void CompactLayoutPlaces4BThen2BThen4BPacks()
    {
        // index start 40 (8 past a 32-byte boundary): 6 entries in 4B packs reach the boundary at 64
        var layout = new CompactIndexLayout(40, 100, compacted2B: true);
        layout.Locate(0, out long at, out int bytes, out int index);
        Assert.Equal((40L, 8, 0), (at, bytes, index));
        layout.Locate(5, out at, out bytes, out index);
        Assert.Equal((56L, 8, 1), (at, bytes, index));
        layout.Locate(6, out at, out bytes, out index); // first 2B pack: (100 - 6) / 16 * 16 = 80 entries of 2 bytes
        Assert.Equal((64L, 32, 0), (at, bytes, index));
        layout.Locate(6 + 17, out at, out bytes, out index);
        Assert.Equal((96L, 32, 1), (at, bytes, index));
        layout.Locate(86, out at, out bytes, out index); // after 80 2B entries (160 bytes): 4B packs again
        Assert.Equal((224L, 8, 0), (at, bytes, index));
        var without2B = new CompactIndexLayout(40, 100, compacted2B: false);
        without2B.Locate(86, out at, out bytes, out index);
        Assert.Equal((40L + 86 * 4, 8, 0), (at, bytes, index));
        Assert.Throws<ArgumentOutOfRangeException>(() => layout.Locate(100, out _, out _, out _));
    }

    [Fact]
    public void ExtentRecordsOfEverySizeReadTheirPrefix()
    {
        var raw = new byte[32];
        BinaryPrimitives.WriteUInt32LittleEndian(raw, (3u << 28) | (1u << 27) | 4096);
        BinaryPrimitives.WriteUInt32LittleEndian(raw.AsSpan(4), 0x1000);
        BinaryPrimitives.WriteUInt32LittleEndian(raw.AsSpan(8), 0x2);
        BinaryPrimitives.WriteUInt32LittleEndian(raw.AsSpan(12), 0x3000);
        BinaryPrimitives.WriteUInt32LittleEndian(raw.AsSpan(16), 0x4);
        var full = ExtentRecord.Parse(raw);
        Assert.Equal(4096, full.Length);
        Assert.True(full.IsPartialReference);
        Assert.True(full.IsCompressed);
        Assert.Equal(CompressionAlgorithm.Deflate, full.Algorithm); // format 3 = algorithm 2
        Assert.Equal(0x2_0000_1000UL, full.PhysicalStart);
        Assert.Equal(0x4_0000_3000UL, full.LogicalStart);
        Assert.Equal(0x3000UL, ExtentRecord.Parse(raw.AsSpan(0, 16)).LogicalStart);
        Assert.Equal(0x1000UL, ExtentRecord.Parse(raw.AsSpan(0, 8)).PhysicalStart);
        var lengthOnly = ExtentRecord.Parse(raw.AsSpan(0, 4));
        Assert.Equal((4096, 0UL, 0UL), (lengthOnly.Length, lengthOnly.PhysicalStart, lengthOnly.LogicalStart));
        BinaryPrimitives.WriteUInt32LittleEndian(raw, 512);
        Assert.False(ExtentRecord.Parse(raw.AsSpan(0, 4)).IsCompressed);
        Assert.Throws<ArgumentException>(() => ExtentRecord.Parse(raw.AsSpan(0, 12)));
    }

    [Fact]
    public void AlgorithmIdsAreTheOnDiskNumbers()
    {
        Assert.Equal(0, (int)CompressionAlgorithm.Lz4);       // Z_EROFS_COMPRESSION_LZ4
        Assert.Equal(1, (int)CompressionAlgorithm.MicroLzma); // Z_EROFS_COMPRESSION_LZMA
        Assert.Equal(2, (int)CompressionAlgorithm.Deflate);   // Z_EROFS_COMPRESSION_DEFLATE
        Assert.Equal(3, (int)CompressionAlgorithm.Zstd);      // Z_EROFS_COMPRESSION_ZSTD
        Assert.Equal(4, CompressionAlgorithms.Count);         // Z_EROFS_COMPRESSION_MAX
        Assert.Equal("lzma", CompressionAlgorithms.Name(CompressionAlgorithm.MicroLzma));
        Assert.Equal("algorithm#9", CompressionAlgorithms.Name((CompressionAlgorithm)9));
    }
}
