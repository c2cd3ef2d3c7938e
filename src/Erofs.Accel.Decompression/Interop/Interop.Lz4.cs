using System.Runtime.InteropServices;

namespace Erofs.Accel.Decompression.Interop;

/// <summary>Bindings to liblz4 (Debian liblz4-1): raw LZ4 block decoding.</summary>
internal static unsafe partial class Lz4Native
{
    public const string LibraryName = "liblz4.so.1";

    /// <summary>Exports a decoder needs; checked before the library is declared available.</summary>
    public static readonly string[] RequiredExports = ["LZ4_decompress_safe", "LZ4_decompress_safe_partial", "LZ4_versionNumber"];

    /// <summary>Decodes a whole block; returns the decoded size, or a negative value for malformed input or too small an output.</summary>
    [LibraryImport(LibraryName, EntryPoint = "LZ4_decompress_safe")]
    public static partial int DecompressSafe(byte* source, byte* destination, int compressedSize, int destinationCapacity);

    /// <summary>Decodes until <paramref name="targetOutputSize"/> bytes exist (or the input ends); never writes past min(target, capacity).</summary>
    [LibraryImport(LibraryName, EntryPoint = "LZ4_decompress_safe_partial")]
    public static partial int DecompressSafePartial(byte* source, byte* destination, int compressedSize, int targetOutputSize, int destinationCapacity);

    [LibraryImport(LibraryName, EntryPoint = "LZ4_versionNumber")]
    public static partial int VersionNumber();
}
