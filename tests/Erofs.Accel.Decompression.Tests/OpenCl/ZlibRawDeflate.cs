namespace Erofs.Accel.Decompression.Tests.OpenCl;

/// <summary>Raw DEFLATE (no zlib header) with a given window size, through libz.so.1.</summary>
internal static unsafe class ZlibRawDeflate
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

    public static byte[] Compress(ReadOnlySpan<byte> data, int windowBits, int level)
    {
        ZlibNative.ZStream z = default;
        int rc = ZlibNative.DeflateInit2(&z, level, ZlibNative.ZDeflated, -windowBits, 8, 0, "1.2.13", sizeof(ZlibNative.ZStream));
        if (rc != ZlibNative.ZOk) throw new InvalidOperationException($"deflateInit2 failed: {rc}");
        try
        {
            var output = new byte[(int)ZlibNative.DeflateBound(&z, (nuint)data.Length) + 64];
            fixed (byte* src = data)
            fixed (byte* dst = output)
            {
                z.NextIn = src;
                z.AvailIn = (uint)data.Length;
                z.NextOut = dst;
                z.AvailOut = (uint)output.Length;
                rc = ZlibNative.Deflate(&z, ZlibNative.ZFinish);
            }
            if (rc != ZlibNative.ZStreamEnd) throw new InvalidOperationException($"deflate did not finish: {rc}");
            return output.AsSpan(0, (int)z.TotalOut).ToArray();
        }
        finally
        {
            ZlibNative.DeflateEnd(&z);
        }
    }
}
