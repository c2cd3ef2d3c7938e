using System.Runtime.InteropServices;

namespace Erofs.Accel.Decompression.Interop;

/// <summary>Bindings to liblzma (Debian liblzma5, 5.3.2+ for MicroLZMA).</summary>
internal static unsafe partial class LzmaNative
{
    public const string LibraryName = "liblzma.so.5";

    public static readonly string[] RequiredExports = ["lzma_microlzma_decoder", "lzma_code", "lzma_end", "lzma_version_string"];

    /// <summary>lzma_ret values.</summary>
    public enum Ret
    {
        Ok = 0,
        StreamEnd = 1,
        NoCheck = 2,
        UnsupportedCheck = 3,
        GetCheck = 4,
        MemError = 5,
        MemlimitError = 6,
        FormatError = 7,
        OptionsError = 8,
        DataError = 9,
        BufError = 10,
        ProgError = 11,
        SeekNeeded = 12,
    }

    /// <summary>lzma_action values.</summary>
    public enum Action
    {
        Run = 0,
        SyncFlush = 1,
        FullFlush = 2,
        Finish = 3,
        FullBarrier = 4,
    }

    /// <summary>
    /// lzma_stream as laid out by liblzma 5.x on 64-bit Linux (base.h): 136 bytes. Must be zeroed before the first
    /// initialisation (LZMA_STREAM_INIT) and live at a fixed address while liblzma holds internal state.
    /// </summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Stream
    {
        public byte* NextIn;
        public nuint AvailIn;
        public ulong TotalIn;
        public byte* NextOut;
        public nuint AvailOut;
        public ulong TotalOut;
        public nint Allocator;
        public nint Internal;
        public nint ReservedPtr1;
        public nint ReservedPtr2;
        public nint ReservedPtr3;
        public nint ReservedPtr4;
        public ulong SeekPos;
        public ulong ReservedInt2;
        public nuint ReservedInt3;
        public nuint ReservedInt4;
        public int ReservedEnum1;
        public int ReservedEnum2;
    }

    /// <summary>Prepares <paramref name="stream"/> to decode one MicroLZMA stream (reuses its memory when possible).</summary>
    [LibraryImport(LibraryName, EntryPoint = "lzma_microlzma_decoder")]
    public static partial Ret MicroLzmaDecoder(Stream* stream, ulong compressedSize, ulong uncompressedSize, byte uncompressedSizeIsExact, uint dictionarySize);

    [LibraryImport(LibraryName, EntryPoint = "lzma_code")]
    public static partial Ret Code(Stream* stream, Action action);

    /// <summary>Frees everything liblzma allocated for the stream (not the struct itself).</summary>
    [LibraryImport(LibraryName, EntryPoint = "lzma_end")]
    public static partial void End(Stream* stream);

    [LibraryImport(LibraryName, EntryPoint = "lzma_version_string")]
    public static partial byte* VersionString();
}
