using K4os.Compression.LZ4;

namespace Erofs.Accel.Decompression.Tests.TestSupport.Encoders;

/// <summary>LZ4 block encoders: K4os (fast, HC) and liblz4 (default, HC 12, EROFS-style fixed 4 KiB output).</summary>
public static unsafe class Lz4Encoders
{
    public static IEnumerable<StreamEncoder> All()
    {
        var p = new DecodeParameters();
        yield return new("lz4-k4os-fast", CompressionAlgorithm.Lz4, 1 << 20, p, input => K4os(input, LZ4Level.L00_FAST));
        yield return new("lz4-k4os-hc9", CompressionAlgorithm.Lz4, 256 << 10, p, input => K4os(input, LZ4Level.L09_HC));
        yield return new("lz4-liblz4-default", CompressionAlgorithm.Lz4, 1 << 20, p, input => Native(input, 0), Liblz4Compress.LibraryName);
        yield return new("lz4-liblz4-hc12", CompressionAlgorithm.Lz4, 256 << 10, p, input => Native(input, 12), Liblz4Compress.LibraryName);
        yield return new("lz4-liblz4-destsize4k", CompressionAlgorithm.Lz4, 1 << 20, p, input => DestSize(input, 4096), Liblz4Compress.LibraryName);
    }

    public static EncodedStream K4os(byte[] input, LZ4Level level)
    {
        var output = new byte[LZ4Codec.MaximumOutputSize(input.Length)];
        int length = LZ4Codec.Encode(input, output, level);
        if (length <= 0) throw new InvalidOperationException("K4os LZ4 encode failed");
        return new(output[..length], input.Length);
    }

    /// <summary>liblz4 block compression; level 0 = LZ4_compress_default, else LZ4_compress_HC at that level.</summary>
    public static EncodedStream Native(byte[] input, int hcLevel)
    {
        var output = new byte[Liblz4Compress.CompressBound(input.Length)];
        int length;
        fixed (byte* src = input)
        fixed (byte* dst = output)
        {
            length = hcLevel == 0
                ? Liblz4Compress.CompressDefault(src, dst, input.Length, output.Length)
                : Liblz4Compress.CompressHc(src, dst, input.Length, output.Length, hcLevel);
        }
        if (length <= 0) throw new InvalidOperationException("liblz4 compress failed");
        return new(output[..length], input.Length);
    }

    /// <summary>Like mkfs.erofs: compress as much input as fits into <paramref name="target"/> bytes.</summary>
    public static EncodedStream DestSize(byte[] input, int target)
    {
        var output = new byte[target];
        int consumed = input.Length;
        int length;
        fixed (byte* src = input)
        fixed (byte* dst = output)
        {
            length = Liblz4Compress.CompressDestSize(src, dst, &consumed, target);
        }
        if (length <= 0 || consumed <= 0) throw new InvalidOperationException("LZ4_compress_destSize failed");
        return new(output[..length], consumed);
    }
}
