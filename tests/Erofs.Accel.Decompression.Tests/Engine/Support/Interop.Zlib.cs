using System.Runtime.InteropServices;

namespace Erofs.Accel.Decompression.Tests.Engine.Support;

/// <summary>Debian's zlib (libz.so.1), used only to produce raw DEFLATE streams with a chosen window (e.g. 4 KiB for IAA).</summary>
internal static unsafe partial class Zlib
{
    private const string LibraryName = "libz.so.1";
    private const int ZFinish = 4;
    private const int ZStreamEnd = 1;
    private const int ZDeflated = 8;

    [StructLayout(LayoutKind.Sequential)]
    private struct ZStream
    {
        public byte* NextIn;
        public uint AvailIn;
        public nuint TotalIn;
        public byte* NextOut;
        public uint AvailOut;
        public nuint TotalOut;
        public nint Msg;
        public nint State;
        public nint ZAlloc;
        public nint ZFree;
        public nint Opaque;
        public int DataType;
        public nuint Adler;
        public nuint Reserved;
    }

    [LibraryImport(LibraryName, EntryPoint = "deflateInit2_", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int DeflateInit2(ZStream* stream, int level, int method, int windowBits, int memLevel, int strategy,
        string version, int streamSize);

    [LibraryImport(LibraryName, EntryPoint = "deflate")]
    private static partial int Deflate(ZStream* stream, int flush);

    [LibraryImport(LibraryName, EntryPoint = "deflateEnd")]
    private static partial int DeflateEnd(ZStream* stream);

    [LibraryImport(LibraryName, EntryPoint = "deflateBound")]
    private static partial nuint DeflateBound(ZStream* stream, nuint sourceLength);

    public static bool IsAvailable => NativeLibrary.TryLoad(LibraryName, out _);

    /// <summary>Raw DEFLATE (no zlib header) with a 2^<paramref name="windowBits"/> byte window.</summary>
    public static byte[] CompressRaw(ReadOnlySpan<byte> data, int windowBits, int level = 6)
    {
        ZStream stream = default;
        int rc = DeflateInit2(&stream, level, ZDeflated, -windowBits, 8, 0, "1.2.13", sizeof(ZStream));
        if (rc != 0) throw new InvalidOperationException($"deflateInit2 failed: {rc}");
        try
        {
            var output = new byte[(int)DeflateBound(&stream, (nuint)data.Length) + 64];
            fixed (byte* input = data)
            fixed (byte* outputPointer = output)
            {
                stream.NextIn = input;
                stream.AvailIn = (uint)data.Length;
                stream.NextOut = outputPointer;
                stream.AvailOut = (uint)output.Length;
                rc = Deflate(&stream, ZFinish);
                if (rc != ZStreamEnd) throw new InvalidOperationException($"deflate did not finish: {rc}");
            }
            return output.AsSpan(0, (int)stream.TotalOut).ToArray();
        }
        finally
        {
            DeflateEnd(&stream);
        }
    }
}
