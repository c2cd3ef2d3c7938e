using System.IO.Compression;

namespace Erofs.Accel.Decompression.Tests.TestSupport.Encoders;

/// <summary>Raw DEFLATE encoders: libdeflate (levels 1/6/12), zlib with 512 B / 4 KiB / 32 KiB windows, BCL.</summary>
public static unsafe class DeflateEncoders
{
    public static IEnumerable<StreamEncoder> All()
    {
        var p = new DecodeParameters();
        yield return new("deflate-libdeflate-1", CompressionAlgorithm.Deflate, 1 << 20, p, input => Libdeflate(input, 1), LibdeflateCompress.LibraryName);
        yield return new("deflate-libdeflate-6", CompressionAlgorithm.Deflate, 1 << 20, p, input => Libdeflate(input, 6), LibdeflateCompress.LibraryName);
        yield return new("deflate-libdeflate-12", CompressionAlgorithm.Deflate, 256 << 10, p, input => Libdeflate(input, 12), LibdeflateCompress.LibraryName);
        yield return new("deflate-zlib-w9-l6", CompressionAlgorithm.Deflate, 1 << 20, p with { DeflateWindowBits = 9 }, input => Zlib(input, 6, 9), ZlibCompress.LibraryName);
        yield return new("deflate-zlib-w12-l9", CompressionAlgorithm.Deflate, 1 << 20, p with { DeflateWindowBits = 12 }, input => Zlib(input, 9, 12), ZlibCompress.LibraryName);
        yield return new("deflate-zlib-w15-l1", CompressionAlgorithm.Deflate, 1 << 20, p, input => Zlib(input, 1, 15), ZlibCompress.LibraryName);
        yield return new("deflate-bcl-optimal", CompressionAlgorithm.Deflate, 1 << 20, p, Bcl);
    }

    public static EncodedStream Libdeflate(byte[] input, int level)
    {
        nint compressor = LibdeflateCompress.AllocCompressor(level);
        if (compressor == 0) throw new InvalidOperationException("libdeflate_alloc_compressor failed");
        try
        {
            var output = new byte[(int)LibdeflateCompress.DeflateCompressBound(compressor, (nuint)input.Length)];
            nuint length;
            fixed (byte* src = input)
            fixed (byte* dst = output)
            {
                length = LibdeflateCompress.DeflateCompress(compressor, src, (nuint)input.Length, dst, (nuint)output.Length);
            }
            if (length == 0) throw new InvalidOperationException("libdeflate_deflate_compress failed");
            return new(output[..(int)length], input.Length);
        }
        finally
        {
            LibdeflateCompress.FreeCompressor(compressor);
        }
    }

    /// <summary>zlib raw deflate (negative windowBits) with a history window of 2^windowBits bytes.</summary>
    public static EncodedStream Zlib(byte[] input, int level, int windowBits)
    {
        ZlibCompress.ZStream stream = default;
        int init = ZlibCompress.DeflateInit2(&stream, level, 8, -windowBits, 8, 0, ZlibCompress.Version(), sizeof(ZlibCompress.ZStream));
        if (init != ZlibCompress.Ok) throw new InvalidOperationException($"deflateInit2 failed: {init}");
        try
        {
            var output = new byte[(int)ZlibCompress.DeflateBound(&stream, (nuint)input.Length) + 64];
            fixed (byte* src = input)
            fixed (byte* dst = output)
            {
                stream.NextIn = src;
                stream.AvailIn = (uint)input.Length;
                stream.NextOut = dst;
                stream.AvailOut = (uint)output.Length;
                int ret = ZlibCompress.Deflate(&stream, ZlibCompress.Finish);
                if (ret != ZlibCompress.StreamEnd) throw new InvalidOperationException($"deflate failed: {ret}");
            }
            return new(output[..(int)stream.TotalOut], input.Length);
        }
        finally
        {
            ZlibCompress.DeflateEnd(&stream);
        }
    }

    public static EncodedStream Bcl(byte[] input)
    {
        var buffer = new MemoryStream();
        using (var deflate = new DeflateStream(buffer, CompressionLevel.Optimal, leaveOpen: true))
            deflate.Write(input);
        return new(buffer.ToArray(), input.Length);
    }
}
