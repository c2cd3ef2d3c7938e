using System.Runtime.InteropServices;

namespace Erofs.Accel.Decompression.Tests.OpenCl;

/// <summary>zlib's deflate entry points (libz.so.1), used to make raw DEFLATE streams with a chosen window.</summary>
internal static unsafe partial class ZlibNative
{
    public const int ZOk = 0;
    public const int ZStreamEnd = 1;
    public const int ZFinish = 4;
    public const int ZDeflated = 8;

    /// <summary>z_stream of 64-bit Linux (uLong is 8 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct ZStream
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

    [LibraryImport("libz.so.1", EntryPoint = "deflateInit2_", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int DeflateInit2(ZStream* stream, int level, int method, int windowBits, int memLevel, int strategy, string version, int streamSize);

    [LibraryImport("libz.so.1", EntryPoint = "deflate")]
    public static partial int Deflate(ZStream* stream, int flush);

    [LibraryImport("libz.so.1", EntryPoint = "deflateEnd")]
    public static partial int DeflateEnd(ZStream* stream);

    [LibraryImport("libz.so.1", EntryPoint = "deflateBound")]
    public static partial nuint DeflateBound(ZStream* stream, nuint sourceLength);
}
