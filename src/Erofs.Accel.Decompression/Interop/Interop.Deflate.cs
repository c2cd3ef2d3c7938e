using System.Runtime.InteropServices;

namespace Erofs.Accel.Decompression.Interop;

/// <summary>Bindings to libdeflate (Debian libdeflate0): whole-buffer raw DEFLATE decoding.</summary>
internal static unsafe partial class LibdeflateNative
{
    public const string LibraryName = "libdeflate.so.0";

    public static readonly string[] RequiredExports =
        ["libdeflate_alloc_decompressor", "libdeflate_free_decompressor", "libdeflate_deflate_decompress_ex"];

    /// <summary>Return codes of libdeflate's decompress functions.</summary>
    public enum Result
    {
        Success = 0,
        BadData = 1,
        ShortOutput = 2,
        InsufficientSpace = 3,
    }

    [LibraryImport(LibraryName, EntryPoint = "libdeflate_alloc_decompressor")]
    public static partial nint AllocDecompressor();

    [LibraryImport(LibraryName, EntryPoint = "libdeflate_free_decompressor")]
    public static partial void FreeDecompressor(nint decompressor);

    /// <summary>
    /// Decodes one raw DEFLATE stream. With non-null actual-size pointers, a stream shorter than the output space is a
    /// success; <paramref name="actualIn"/> receives the bytes of input the stream occupied.
    /// </summary>
    [LibraryImport(LibraryName, EntryPoint = "libdeflate_deflate_decompress_ex")]
    public static partial Result DeflateDecompressEx(
        nint decompressor, byte* input, nuint inputLength, byte* output, nuint outputAvailable, nuint* actualIn, nuint* actualOut);
}
