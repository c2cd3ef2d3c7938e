using Erofs.Accel.Decompression.Tests.TestSupport.Encoders;

namespace Erofs.Accel.Decompression.Tests.OpenCl;

/// <summary>Raw DEFLATE (no zlib header) with a given window size, through the shared zlib encoder.</summary>
internal static class ZlibRawDeflate
{
    public static bool IsAvailable()
    {
        try
        {
            Compress([1, 2, 3], 15, 6);
            return true;
        }
        catch (DllNotFoundException) { return false; }
    }

    public static byte[] Compress(ReadOnlySpan<byte> data, int windowBits, int level) =>
        DeflateEncoders.Zlib(data.ToArray(), level, windowBits).Compressed;
}
