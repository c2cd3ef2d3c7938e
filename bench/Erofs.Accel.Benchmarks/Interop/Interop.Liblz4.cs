using System.Runtime.InteropServices;

namespace Erofs.Accel.Benchmarks.Interop;

/// <summary>Raw liblz4 decoding, called directly as the baseline our backends are compared with.</summary>
internal static unsafe partial class RawLiblz4
{
    public const string LibraryName = "liblz4.so.1";

    [LibraryImport(LibraryName, EntryPoint = "LZ4_decompress_safe")]
    public static partial int DecompressSafe(byte* source, byte* destination, int compressedSize, int destinationCapacity);
}
