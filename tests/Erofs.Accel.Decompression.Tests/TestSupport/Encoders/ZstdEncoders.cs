using ZstdSharp;
using ZstdSharp.Unsafe;

namespace Erofs.Accel.Decompression.Tests.TestSupport.Encoders;

/// <summary>Zstandard frame encoders (ZstdSharp): several levels and windows, with and without content size / checksum.</summary>
public static class ZstdEncoders
{
    public static IEnumerable<StreamEncoder> All()
    {
        var p = new DecodeParameters();
        yield return new("zstd-l3-w20", CompressionAlgorithm.Zstd, 1 << 20, p with { ZstdWindowLog = 20 }, input => Encode(input, 3, 20, true, false));
        yield return new("zstd-l19-w10", CompressionAlgorithm.Zstd, 256 << 10, p with { ZstdWindowLog = 10 }, input => Encode(input, 19, 10, true, false));
        yield return new("zstd-l1-w17-nosize", CompressionAlgorithm.Zstd, 1 << 20, p with { ZstdWindowLog = 17 }, input => Encode(input, 1, 17, false, false));
        yield return new("zstd-l5-w15-checksum", CompressionAlgorithm.Zstd, 1 << 20, p with { ZstdWindowLog = 15 }, input => Encode(input, 5, 15, true, true));
    }

    public static EncodedStream Encode(byte[] input, int level, int windowLog, bool contentSize, bool checksum)
    {
        using var compressor = new Compressor(level);
        compressor.SetParameter(ZSTD_cParameter.ZSTD_c_windowLog, windowLog);
        compressor.SetParameter(ZSTD_cParameter.ZSTD_c_contentSizeFlag, contentSize ? 1 : 0);
        compressor.SetParameter(ZSTD_cParameter.ZSTD_c_checksumFlag, checksum ? 1 : 0);
        return new(compressor.Wrap(input).ToArray(), input.Length);
    }
}
