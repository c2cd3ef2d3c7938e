using System.Runtime.InteropServices;

namespace Erofs.Accel.Benchmarks.Interop;

/// <summary>Raw libdeflate decoding, called directly as the baseline our backends are compared with.</summary>
internal static unsafe partial class RawLibdeflate
{
    public const string LibraryName = "libdeflate.so.0";

    [LibraryImport(LibraryName, EntryPoint = "libdeflate_alloc_decompressor")]
    public static partial nint AllocDecompressor();

    [LibraryImport(LibraryName, EntryPoint = "libdeflate_free_decompressor")]
    public static partial void FreeDecompressor(nint decompressor);

    [LibraryImport(LibraryName, EntryPoint = "libdeflate_deflate_decompress")]
    public static partial int DeflateDecompress(nint decompressor, byte* input, nuint inputLength, byte* output, nuint outputAvailable, nuint* actualOut);
}
