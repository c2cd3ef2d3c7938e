using System.Buffers.Binary;
using Erofs.Accel.Decompression;

namespace Erofs.Accel.Format;

/// <summary>
/// Per-algorithm parameters from the records after the superblock (or the legacy LZ4 defaults). Accepts exactly what
/// Linux accepts (fs/erofs z_erofs_parse_cfgs and the z_erofs_load_*_config of each algorithm), field by field:
/// <list type="bullet">
/// <item>a record is a 16-bit length (0 meaning 65536) and that many bytes, 4-byte aligned, one per algorithm bit;</item>
/// <item>lz4: at least 14 bytes; max_distance 0 = 64 KiB; max_pclusterblks 0 = 1, at most 1 MiB of blocks;</item>
/// <item>lzma: at least 14 bytes; format 0; dict_size 4 KiB..8 MiB (0 is refused);</item>
/// <item>deflate: at least 6 bytes; windowbits 0..15 (above 15 refused). Linux always inflates with a 32 KiB window,
/// so a value below 8 (mkfs.erofs with libdeflate records 0) says nothing: <see cref="DeflateWindowBits"/> is then 15;</item>
/// <item>zstd: at least 6 bytes; format 0; windowlog (stored minus 10) at most 10 (1 MiB).</item>
/// </list>
/// Reserved bytes are not checked (Linux ignores them).
/// </summary>
public sealed class CompressionConfigs
{
    /// <summary>Largest DEFLATE window, and the one Linux decodes every DEFLATE stream with.</summary>
    public const int MaxDeflateWindowBits = 15;

    /// <summary>Smallest DEFLATE window a record can meaningfully state (256 bytes).</summary>
    public const int MinDeflateWindowBits = 8;

    /// <summary>Largest pcluster EROFS allows (Z_EROFS_PCLUSTER_MAX_SIZE).</summary>
    public const int MaxPclusterBytes = 1 << 20;

    /// <summary>Largest MicroLZMA dictionary (Z_EROFS_LZMA_MAX_DICT_SIZE) and the smallest Linux takes.</summary>
    public const int MaxLzmaDictionarySize = 8 * MaxPclusterBytes;
    /// <summary>Smallest MicroLZMA dictionary Linux accepts, in bytes.</summary>
    public const int MinLzmaDictionarySize = 4096;

    /// <summary>Largest zstd window log (Z_EROFS_ZSTD_MAX_DICT_SIZE = 1 MiB).</summary>
    public const int MaxZstdWindowLog = 20;

    // Record sizes Linux requires (sizeof the z_erofs_*_cfgs structs).
    private const int Lz4RecordSize = 14;
    private const int LzmaRecordSize = 14;
    private const int DeflateRecordSize = 6;
    private const int ZstdRecordSize = 6;

    /// <summary>Bitmap of the algorithms compressed inodes may use (bit n = <see cref="CompressionAlgorithm"/> n).</summary>
    public int AvailableAlgorithms { get; private init; }
    /// <summary>Longest LZ4 match distance the image's streams use, in bytes.</summary>
    public int Lz4MaxDistance { get; private init; } = 65535;
    /// <summary>Most blocks one LZ4 pcluster may span (1 without big pclusters).</summary>
    public int Lz4MaxPclusterBlocks { get; private init; } = 1;
    /// <summary>MicroLZMA dictionary size in bytes.</summary>
    public int LzmaDictionarySize { get; private init; } = MaxLzmaDictionarySize;

    /// <summary>
    /// The DEFLATE window streams of this image may use, log2 bytes (8..15): the recorded windowbits when it states a
    /// window, else 15. Route and decode by this value, never by <see cref="RecordedDeflateWindowBits"/>.
    /// </summary>
    public int DeflateWindowBits { get; private init; } = MaxDeflateWindowBits;

    /// <summary>windowbits exactly as recorded (0..15), or -1 without a DEFLATE record.</summary>
    public int RecordedDeflateWindowBits { get; private init; } = -1;

    /// <summary>Real window log (on-disk value + 10).</summary>
    public int ZstdWindowLog { get; private init; } = MaxZstdWindowLog;

    /// <summary>True when the image declares <paramref name="algorithm"/> usable by its compressed inodes.</summary>
    public bool IsAvailable(CompressionAlgorithm algorithm) => CompressionAlgorithms.IsDefined((int)algorithm) && (AvailableAlgorithms & (1 << (int)algorithm)) != 0;

    /// <summary>Largest bytes the config records can occupy (4 records of at most 2 + 65536 bytes plus alignment).</summary>
    public const int MaxRecordsBytes = CompressionAlgorithms.Count * (2 + 65536 + 3);

    /// <summary>Configs of an image without COMPR_CFGS: LZ4 only, window from the superblock.</summary>
    public static CompressionConfigs Legacy(Superblock sb) => new()
    {
        AvailableAlgorithms = 1,
        Lz4MaxDistance = sb.LegacyLz4MaxDistance,
        Lz4MaxPclusterBlocks = 1,
    };

    /// <summary>The DEFLATE window a recorded windowbits value stands for (see <see cref="DeflateWindowBits"/>).</summary>
    public static int EffectiveDeflateWindowBits(int recorded) =>
        recorded is >= MinDeflateWindowBits and <= MaxDeflateWindowBits ? recorded : MaxDeflateWindowBits;

    /// <summary>
    /// Parses the config records. <paramref name="stream"/> holds the primary device bytes starting at absolute
    /// offset <paramref name="streamOffset"/> (= 1024 + superblock size); it may be shorter than
    /// <see cref="MaxRecordsBytes"/> if the image ends.
    /// </summary>
    public static CompressionConfigs Parse(Superblock sb, ReadOnlySpan<byte> stream, long streamOffset)
    {
        if (!sb.Has(IncompatFeatures.CompressionConfigs)) return Legacy(sb);
        int algs = sb.AvailableAlgorithms;
        int pos = 0;
        int lz4Distance = 65535, lz4Blocks = 1, lzmaDict = MaxLzmaDictionarySize, deflateBits = -1, zstdLog = MaxZstdWindowLog;
        for (var alg = CompressionAlgorithm.Lz4; (int)alg < CompressionAlgorithms.Count; alg++)
        {
            if ((algs & (1 << (int)alg)) == 0) continue;
            pos = (int)(((streamOffset + pos + 3) & ~3L) - streamOffset);
            long at = streamOffset + pos;
            string name = CompressionAlgorithms.Name(alg);
            if (pos + 2 > stream.Length)
                throw new ErofsCorruptImageException($"{name} config record runs past the image end", at);
            int len = BinaryPrimitives.ReadUInt16LittleEndian(stream[pos..]);
            if (len == 0) len = 65536;
            if (pos + 2 + len > stream.Length)
                throw new ErofsCorruptImageException($"{name} config record of {len} bytes runs past the image end", at);
            var rec = stream.Slice(pos + 2, len);
            int need = alg switch
            {
                CompressionAlgorithm.Lz4 => Lz4RecordSize,
                CompressionAlgorithm.MicroLzma => LzmaRecordSize,
                CompressionAlgorithm.Deflate => DeflateRecordSize,
                _ => ZstdRecordSize,
            };
            if (len < need)
                throw new ErofsCorruptImageException($"{name} config record too short ({len} bytes, {need} needed)", at);
            switch (alg)
            {
                case CompressionAlgorithm.Lz4:
                    int d = BinaryPrimitives.ReadUInt16LittleEndian(rec);
                    lz4Distance = d == 0 ? 65535 : d;
                    int blocks = BinaryPrimitives.ReadUInt16LittleEndian(rec[2..]);
                    int maxBlocks = MaxPclusterBytes >> sb.BlockSizeBits;
                    if (blocks > maxBlocks)
                        throw new ErofsCorruptImageException($"lz4 max_pclusterblks {blocks} exceeds {maxBlocks} (1 MiB)", at + 4);
                    lz4Blocks = blocks == 0 ? 1 : blocks;
                    break;
                case CompressionAlgorithm.MicroLzma:
                    uint dict = BinaryPrimitives.ReadUInt32LittleEndian(rec);
                    ushort fmt = BinaryPrimitives.ReadUInt16LittleEndian(rec[4..]);
                    if (fmt != 0) throw new ErofsUnsupportedFeatureException($"unknown MicroLZMA format {fmt}", at + 6);
                    if (dict is < MinLzmaDictionarySize or > MaxLzmaDictionarySize)
                        throw new ErofsUnsupportedFeatureException($"MicroLZMA dictionary size {dict} outside 4 KiB..8 MiB", at + 2);
                    lzmaDict = (int)dict;
                    break;
                case CompressionAlgorithm.Deflate:
                    int wb = rec[0];
                    if (wb > MaxDeflateWindowBits)
                        throw new ErofsUnsupportedFeatureException($"deflate window bits {wb} exceed 15", at + 2);
                    deflateBits = wb;
                    break;
                case CompressionAlgorithm.Zstd:
                    if (rec[0] != 0) throw new ErofsUnsupportedFeatureException($"unknown zstd config format {rec[0]}", at + 2);
                    int wl = rec[1] + 10;
                    if (wl > MaxZstdWindowLog) throw new ErofsUnsupportedFeatureException($"zstd window log {wl} exceeds 20 (1 MiB)", at + 3);
                    zstdLog = wl;
                    break;
            }
            pos += 2 + len;
        }
        return new CompressionConfigs
        {
            AvailableAlgorithms = algs,
            Lz4MaxDistance = lz4Distance,
            Lz4MaxPclusterBlocks = lz4Blocks,
            LzmaDictionarySize = lzmaDict,
            DeflateWindowBits = EffectiveDeflateWindowBits(deflateBits),
            RecordedDeflateWindowBits = deflateBits,
            ZstdWindowLog = zstdLog,
        };
    }
}
