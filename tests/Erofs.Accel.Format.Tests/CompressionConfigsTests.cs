using Erofs.Accel.Decompression;
using System.Buffers.Binary;
using Erofs.Accel.Format;
using Erofs.Accel.Testing;

namespace Erofs.Accel.Format.Tests;

public class CompressionConfigsTests
{
    private static CompressionConfigs Load(string image)
    {
        var all = File.ReadAllBytes(TestCorpus.ImagePath(image));
        var sb = Superblock.Parse(all.AsSpan(1024, 3072));
        long start = 1024 + sb.Size;
        return CompressionConfigs.Parse(sb, all.AsSpan((int)start, Math.Min(CompressionConfigs.MaxRecordsBytes, all.Length - (int)start)), start);
    }

    [Fact]
    public void MultiAlgorithmImageHasAllFourRecords()
    {
        var c = Load("multi-alg");
        Assert.Equal(0xF, c.AvailableAlgorithms);
        Assert.Equal(65535, c.Lz4MaxDistance);
        Assert.Equal(16, c.Lz4MaxPclusterBlocks);
        Assert.Equal(262144, c.LzmaDictionarySize);
        Assert.Equal(15, c.DeflateWindowBits);
        Assert.Equal(19, c.ZstdWindowLog);
    }

    [Theory]
    [InlineData("deflate-w4k", 12)]
    [InlineData("deflate", 15)]
    public void DeflateWindow(string image, int bits)
    {
        var c = Load(image);
        Assert.Equal(bits, c.DeflateWindowBits);
        Assert.Equal(bits, c.RecordedDeflateWindowBits);
    }

    [Fact]
    public void LegacyLz4ImageHasNoRecords()
    {
        var c = Load("lz4");
        Assert.Equal(1, c.AvailableAlgorithms);
        Assert.True(c.IsAvailable(CompressionAlgorithm.Lz4));
        Assert.False(c.IsAvailable(CompressionAlgorithm.Deflate));
        Assert.Equal(-1, c.RecordedDeflateWindowBits);
    }

    [Fact]
    public void TruncatedRecordsAreCorrupt()
    {
        var all = File.ReadAllBytes(TestCorpus.ImagePath("multi-alg"));
        var sb = Superblock.Parse(all.AsSpan(1024, 3072));
        long start = 1024 + sb.Size;
        Assert.Throws<ErofsCorruptImageException>(() => CompressionConfigs.Parse(sb, all.AsSpan((int)start, 20), start));
    }

    // ---- field by field against Linux's z_erofs_load_*_config (synthetic records) ---------------------------------

    private const long RecordsStart = 1024 + 128;

    /// <summary>A superblock (4 KiB blocks, COMPR_CFGS) announcing <paramref name="algorithms"/>.</summary>
    private static Superblock SuperblockWith(int algorithms)
    {
        var all = File.ReadAllBytes(TestCorpus.ImagePath("multi-alg"));
        var region = all.AsSpan(1024, 3072).ToArray();
        BinaryPrimitives.WriteUInt16LittleEndian(region.AsSpan(84), (ushort)algorithms);
        region[8] = 0; // extslots: the records start right after the 128-byte superblock
        var sb = Superblock.Parse(region, verifyChecksum: false);
        Assert.Equal(RecordsStart, 1024 + sb.Size);
        return sb;
    }

    /// <summary>Records as mkfs writes them: 16-bit length (0 = 65536), body, 4-byte alignment between records.</summary>
    private static byte[] Records(params byte[][] bodies)
    {
        var output = new List<byte>();
        foreach (var body in bodies)
        {
            while ((RecordsStart + output.Count) % 4 != 0) output.Add(0);
            int len = body.Length == 65536 ? 0 : body.Length;
            output.Add((byte)len);
            output.Add((byte)(len >> 8));
            output.AddRange(body);
        }
        return output.ToArray();
    }

    private static CompressionConfigs ParseOne(int algorithm, byte[] body) =>
        CompressionConfigs.Parse(SuperblockWith(1 << algorithm), Records(body), RecordsStart);

    private static byte[] Body(int length, params (int Offset, byte Value)[] bytes)
    {
        var body = new byte[length];
        foreach (var (offset, value) in bytes) body[offset] = value;
        return body;
    }

    [Theory]
    [InlineData(0, 15)]  // mkfs.erofs with libdeflate: dict_size 0, ilog2(0) = 0; Linux mounts it
    [InlineData(1, 15)]
    [InlineData(7, 15)]
    [InlineData(8, 8)]
    [InlineData(9, 9)]
    [InlineData(12, 12)]
    [InlineData(15, 15)]
    public void DeflateWindowBitsLinuxAcceptsAndTheWindowToRouteBy(int recorded, int effective)
    {
        var c = ParseOne((int)CompressionAlgorithm.Deflate, Body(6, (0, (byte)recorded)));
        Assert.Equal(recorded, c.RecordedDeflateWindowBits);
        Assert.Equal(effective, c.DeflateWindowBits);
        Assert.Equal(effective, CompressionConfigs.EffectiveDeflateWindowBits(recorded));
    }

    [Theory]
    [InlineData(16)]
    [InlineData(255)]
    public void DeflateWindowBitsAbove15AreRefused(int recorded) =>
        Assert.Throws<ErofsUnsupportedFeatureException>(() => ParseOne((int)CompressionAlgorithm.Deflate, Body(6, (0, (byte)recorded))));

    [Theory]
    [InlineData((int)CompressionAlgorithm.Lz4, 13)]
    [InlineData((int)CompressionAlgorithm.MicroLzma, 13)]
    [InlineData((int)CompressionAlgorithm.Deflate, 5)]
    [InlineData((int)CompressionAlgorithm.Deflate, 1)]
    [InlineData((int)CompressionAlgorithm.Zstd, 5)]
    [InlineData((int)CompressionAlgorithm.Zstd, 2)]
    public void RecordsShorterThanLinuxsStructAreRefused(int algorithm, int length)
    {
        var body = Body(length);
        if (algorithm == (int)CompressionAlgorithm.MicroLzma && length >= 4) BinaryPrimitives.WriteUInt32LittleEndian(body, 65536);
        if (algorithm == (int)CompressionAlgorithm.Deflate) body[0] = 12;
        var e = Assert.Throws<ErofsCorruptImageException>(() => ParseOne(algorithm, body));
        Assert.Contains("too short", e.Message);
    }

    [Theory]
    [InlineData((int)CompressionAlgorithm.Lz4, 14)]
    [InlineData((int)CompressionAlgorithm.MicroLzma, 14)]
    [InlineData((int)CompressionAlgorithm.Deflate, 6)]
    [InlineData((int)CompressionAlgorithm.Zstd, 6)]
    [InlineData((int)CompressionAlgorithm.Deflate, 256)]
    [InlineData((int)CompressionAlgorithm.Zstd, 300)]     // longer than any struct: Linux reads the struct and ignores the rest
    [InlineData((int)CompressionAlgorithm.Lz4, 65536)]    // stored length 0 means 65536 bytes
    public void RecordsOfLinuxsSizeOrLongerAreAccepted(int algorithm, int length)
    {
        var body = Body(length, (1, 0));
        if (algorithm == (int)CompressionAlgorithm.MicroLzma) BinaryPrimitives.WriteUInt32LittleEndian(body, 65536);
        if (algorithm == (int)CompressionAlgorithm.Deflate) body[0] = 12;
        body[^1] = 0xAA; // reserved / trailing bytes are not checked
        var c = ParseOne(algorithm, body);
        Assert.True(c.IsAvailable((CompressionAlgorithm)algorithm));
    }

    [Fact]
    public void ZeroLengthRecordMeans65536BytesAndTheNextRecordFollowsIt()
    {
        var lz4 = Body(65536, (0, 0x00), (1, 0x10), (2, 4)); // max_distance 4096, 4 blocks
        var deflate = Body(6, (0, 12));
        var records = Records(lz4, deflate);
        Assert.Equal(0, records[0] | records[1]);
        var c = CompressionConfigs.Parse(SuperblockWith(1 << (int)CompressionAlgorithm.Lz4 | 1 << (int)CompressionAlgorithm.Deflate), records, RecordsStart);
        Assert.Equal((4096, 4, 12), (c.Lz4MaxDistance, c.Lz4MaxPclusterBlocks, c.DeflateWindowBits));
        Assert.True(records.Length < CompressionConfigs.MaxRecordsBytes);
        Assert.Throws<ErofsCorruptImageException>(() => CompressionConfigs.Parse(
            SuperblockWith(1 << (int)CompressionAlgorithm.Lz4 | 1 << (int)CompressionAlgorithm.Deflate), records.AsSpan(0, 65536), RecordsStart));
    }

    [Theory]
    [InlineData(0, 0, 65535, 1)]
    [InlineData(4096, 0, 4096, 1)]
    [InlineData(65535, 256, 65535, 256)] // 256 blocks of 4 KiB = 1 MiB, the largest pcluster
    public void Lz4ValuesLinuxAccepts(int distance, int blocks, int wantDistance, int wantBlocks)
    {
        var c = ParseOne((int)CompressionAlgorithm.Lz4, Body(14, (0, (byte)distance), (1, (byte)(distance >> 8)), (2, (byte)blocks), (3, (byte)(blocks >> 8))));
        Assert.Equal((wantDistance, wantBlocks), (c.Lz4MaxDistance, c.Lz4MaxPclusterBlocks));
    }

    [Fact]
    public void Lz4PclusterLargerThan1MiBIsRefused() =>
        Assert.Throws<ErofsCorruptImageException>(() => ParseOne((int)CompressionAlgorithm.Lz4, Body(14, (2, 1), (3, 1)))); // 257 blocks

    [Theory]
    [InlineData(4096u, true)]
    [InlineData(8u << 20, true)]
    [InlineData(0u, false)]       // Linux refuses 0 (no default)
    [InlineData(4095u, false)]
    [InlineData((8u << 20) + 1, false)]
    public void LzmaDictionarySizesLinuxAccepts(uint dictionary, bool accepted)
    {
        var body = Body(14);
        BinaryPrimitives.WriteUInt32LittleEndian(body, dictionary);
        if (accepted) Assert.Equal((int)dictionary, ParseOne((int)CompressionAlgorithm.MicroLzma, body).LzmaDictionarySize);
        else Assert.Throws<ErofsUnsupportedFeatureException>(() => ParseOne((int)CompressionAlgorithm.MicroLzma, body));
    }

    [Fact]
    public void LzmaUnknownFormatIsRefused()
    {
        var body = Body(14, (4, 1));
        BinaryPrimitives.WriteUInt32LittleEndian(body, 65536);
        Assert.Throws<ErofsUnsupportedFeatureException>(() => ParseOne((int)CompressionAlgorithm.MicroLzma, body));
    }

    [Theory]
    [InlineData(0, 10)]
    [InlineData(10, 20)]
    public void ZstdWindowLogsLinuxAccepts(int stored, int windowLog) =>
        Assert.Equal(windowLog, ParseOne((int)CompressionAlgorithm.Zstd, Body(6, (1, (byte)stored))).ZstdWindowLog);

    [Fact]
    public void ZstdRefusalsMatchLinux()
    {
        Assert.Throws<ErofsUnsupportedFeatureException>(() => ParseOne((int)CompressionAlgorithm.Zstd, Body(6, (1, 11))));
        Assert.Throws<ErofsUnsupportedFeatureException>(() => ParseOne((int)CompressionAlgorithm.Zstd, Body(6, (0, 1))));
    }
}
