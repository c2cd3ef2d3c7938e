using System.Runtime.InteropServices;

namespace Erofs.Accel.Decompression.Tests.TestSupport.Encoders;

/// <summary>
/// liblzma MicroLZMA encoder entry points (test and benchmark data only). Self-contained (own lzma_stream mirror)
/// so the benchmark project can compile this file too.
/// </summary>
internal static unsafe partial class LiblzmaCompress
{
    public const string LibraryName = "liblzma.so.5";
    public const int StreamEnd = 1;
    public const int ActionFinish = 3;

    /// <summary>lzma_stream on 64-bit Linux (liblzma 5.x base.h): 136 bytes.</summary>
    [StructLayout(LayoutKind.Sequential, Size = 136)]
    public struct Stream
    {
        public byte* NextIn;
        public nuint AvailIn;
        public ulong TotalIn;
        public byte* NextOut;
        public nuint AvailOut;
        public ulong TotalOut;
    }

    /// <summary>Fills an lzma_options_lzma for a preset; returns non-zero on failure (lzma_bool true = error).</summary>
    [LibraryImport(LibraryName, EntryPoint = "lzma_lzma_preset")]
    public static partial byte LzmaPreset(byte* options, uint preset);

    [LibraryImport(LibraryName, EntryPoint = "lzma_microlzma_encoder")]
    public static partial int MicroLzmaEncoder(Stream* stream, byte* options);

    [LibraryImport(LibraryName, EntryPoint = "lzma_code")]
    public static partial int Code(Stream* stream, int action);

    [LibraryImport(LibraryName, EntryPoint = "lzma_end")]
    public static partial void End(Stream* stream);
}
