using System.IO.Compression;
using K4os.Compression.LZ4;

namespace Erofs.Accel.Decompression.Tests.OpenCl;

/// <summary>Reference software decoders (K4os LZ4, System.IO.Compression DEFLATE) for differential checks.</summary>
public static class SoftwareReference
{
    /// <summary>Decodes exactly <paramref name="length"/> bytes, or returns null when software rejects the stream.</summary>
    public static byte[]? Decode(CompressionAlgorithm algorithm, byte[] source, int length)
    {
        var output = new byte[length];
        if (algorithm == CompressionAlgorithm.Lz4)
        {
            // one spare byte shows a stream that is longer than expected
            var spare = new byte[length + 1];
            int n = LZ4Codec.Decode(source, spare);
            if (n != length) return null;
            spare.AsSpan(0, length).CopyTo(output);
            return output;
        }
        try
        {
            using var z = new DeflateStream(new MemoryStream(source, writable: false), CompressionMode.Decompress);
            int total = 0;
            while (total < length)
            {
                int n = z.Read(output, total, length - total);
                if (n == 0) return null;
                total += n;
            }
            return z.ReadByte() < 0 ? output : null;
        }
        catch (InvalidDataException)
        {
            return null;
        }
    }
}
