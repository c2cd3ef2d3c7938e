using System.Buffers.Binary;
using Erofs.Accel.Decompression;

namespace Erofs.Accel.Format;

/// <summary>Per-algorithm parameters from the records after the superblock (or the legacy LZ4 defaults).</summary>
public sealed class CompressionConfigs
{
    public int AvailableAlgorithms { get; private init; }
    public int Lz4MaxDistance { get; private init; } = 65535;
    public int Lz4MaxPclusterBlocks { get; private init; } = 1;
    public int LzmaDictionarySize { get; private init; } = 8 << 20;
    public int DeflateWindowBits { get; private init; } = 15;
    /// <summary>Real window log (on-disk value + 10).</summary>
    public int ZstdWindowLog { get; private init; } = 20;

    public bool IsAvailable(CompressionAlgorithm algorithm) => CompressionAlgorithms.IsDefined((int)algorithm) && (AvailableAlgorithms & (1 << (int)algorithm)) != 0;

    /// <summary>Largest bytes any config record can occupy (4 records of at most 2 + 256 bytes plus alignment).</summary>
    public const int MaxRecordsBytes = 4 * (2 + 256 + 3);

    /// <summary>Configs of an image without COMPR_CFGS: LZ4 only, window from the superblock.</summary>
    public static CompressionConfigs Legacy(Superblock sb) => new()
    {
        AvailableAlgorithms = 1,
        Lz4MaxDistance = sb.LegacyLz4MaxDistance,
        Lz4MaxPclusterBlocks = 1,
    };

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
        int lz4Distance = 65536, lz4Blocks = 1, lzmaDict = 8 << 20, deflateBits = 15, zstdLog = 20;
        for (var alg = CompressionAlgorithm.Lz4; (int)alg < CompressionAlgorithms.Count; alg++)
        {
            if ((algs & (1 << (int)alg)) == 0) continue;
            pos = (int)(((streamOffset + pos + 3) & ~3L) - streamOffset);
            long at = streamOffset + pos;
            if (pos + 2 > stream.Length)
                throw new ErofsCorruptImageException($"{CompressionAlgorithms.Name(alg)} config record runs past the image end", at);
            int len = BinaryPrimitives.ReadUInt16LittleEndian(stream[pos..]);
            if (len == 0 || len > 256 || pos + 2 + len > stream.Length)
                throw new ErofsCorruptImageException($"{CompressionAlgorithms.Name(alg)} config record has bad length {len}", at);
            var rec = stream.Slice(pos + 2, len);
            switch (alg)
            {
                case CompressionAlgorithm.Lz4:
                    if (len < 4) throw new ErofsCorruptImageException($"lz4 config record too short ({len} bytes)", at);
                    int d = BinaryPrimitives.ReadUInt16LittleEndian(rec);
                    lz4Distance = d == 0 ? 65535 : d;
                    int blocks = BinaryPrimitives.ReadUInt16LittleEndian(rec[2..]);
                    lz4Blocks = blocks == 0 ? 1 : blocks;
                    break;
                case CompressionAlgorithm.MicroLzma:
                    if (len < 6) throw new ErofsCorruptImageException($"lzma config record too short ({len} bytes)", at);
                    uint dict = BinaryPrimitives.ReadUInt32LittleEndian(rec);
                    ushort fmt = BinaryPrimitives.ReadUInt16LittleEndian(rec[4..]);
                    if (fmt != 0) throw new ErofsUnsupportedFeatureException($"unknown MicroLZMA format {fmt}", at + 6);
                    if (dict > (8u << 20)) throw new ErofsUnsupportedFeatureException($"MicroLZMA dictionary size {dict} exceeds 8 MiB", at + 2);
                    lzmaDict = dict == 0 ? 8 << 20 : (int)dict;
                    break;
                case CompressionAlgorithm.Deflate:
                    if (len < 1) throw new ErofsCorruptImageException("deflate config record too short", at);
                    int wb = rec[0];
                    if (wb is < 8 or > 15) throw new ErofsUnsupportedFeatureException($"deflate window bits {wb} outside 8..15", at + 2);
                    deflateBits = wb;
                    break;
                case CompressionAlgorithm.Zstd:
                    if (len < 2) throw new ErofsCorruptImageException("zstd config record too short", at);
                    if (rec[0] != 0) throw new ErofsUnsupportedFeatureException($"unknown zstd config format {rec[0]}", at + 2);
                    int wl = rec[1] + 10;
                    if (wl > 20) throw new ErofsUnsupportedFeatureException($"zstd window log {wl} exceeds 20 (1 MiB)", at + 3);
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
            DeflateWindowBits = deflateBits,
            ZstdWindowLog = zstdLog,
        };
    }
}
