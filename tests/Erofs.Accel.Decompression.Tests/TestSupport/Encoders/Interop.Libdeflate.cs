using System.Runtime.InteropServices;

namespace Erofs.Accel.Decompression.Tests.TestSupport.Encoders;

/// <summary>libdeflate compression entry points (test data only).</summary>
internal static unsafe partial class LibdeflateCompress
{
    public const string LibraryName = "libdeflate.so.0";

    [LibraryImport(LibraryName, EntryPoint = "libdeflate_alloc_compressor")]
    public static partial nint AllocCompressor(int level);

    [LibraryImport(LibraryName, EntryPoint = "libdeflate_free_compressor")]
    public static partial void FreeCompressor(nint compressor);

    [LibraryImport(LibraryName, EntryPoint = "libdeflate_deflate_compress_bound")]
    public static partial nuint DeflateCompressBound(nint compressor, nuint inputLength);

    [LibraryImport(LibraryName, EntryPoint = "libdeflate_deflate_compress")]
    public static partial nuint DeflateCompress(nint compressor, byte* input, nuint inputLength, byte* output, nuint outputAvailable);
}
