using System.Runtime.InteropServices;

namespace Erofs.Accel.Decompression.Tests.TestSupport.Encoders;

/// <summary>System zlib (Debian zlib1g) raw-deflate compression with a chosen window (test data only).</summary>
internal static unsafe partial class ZlibCompress
{
    public const string LibraryName = "libz.so.1";
    public const int Finish = 4;
    public const int Ok = 0;
    public const int StreamEnd = 1;

    /// <summary>z_stream on 64-bit Linux (zlib.h): 112 bytes.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct ZStream
    {
        public byte* NextIn;
        public uint AvailIn;
        public nuint TotalIn;
        public byte* NextOut;
        public uint AvailOut;
        public nuint TotalOut;
        public nint Message;
        public nint State;
        public nint Alloc;
        public nint Free;
        public nint Opaque;
        public int DataType;
        public nuint Adler;
        public nuint Reserved;
    }

    [LibraryImport(LibraryName, EntryPoint = "zlibVersion")]
    public static partial byte* Version();

    [LibraryImport(LibraryName, EntryPoint = "deflateInit2_")]
    public static partial int DeflateInit2(ZStream* stream, int level, int method, int windowBits, int memLevel, int strategy, byte* version, int streamSize);

    [LibraryImport(LibraryName, EntryPoint = "deflate")]
    public static partial int Deflate(ZStream* stream, int flush);

    [LibraryImport(LibraryName, EntryPoint = "deflateBound")]
    public static partial nuint DeflateBound(ZStream* stream, nuint sourceLength);

    [LibraryImport(LibraryName, EntryPoint = "deflateEnd")]
    public static partial int DeflateEnd(ZStream* stream);
}
