using System.Runtime.InteropServices;

namespace Erofs.Accel.Decompression.Tests.TestSupport.Encoders;

/// <summary>liblz4 compression entry points (test data only).</summary>
internal static unsafe partial class Liblz4Compress
{
    public const string LibraryName = "liblz4.so.1";

    [LibraryImport(LibraryName, EntryPoint = "LZ4_compressBound")]
    public static partial int CompressBound(int inputSize);

    [LibraryImport(LibraryName, EntryPoint = "LZ4_compress_default")]
    public static partial int CompressDefault(byte* source, byte* destination, int sourceSize, int destinationCapacity);

    [LibraryImport(LibraryName, EntryPoint = "LZ4_compress_HC")]
    public static partial int CompressHc(byte* source, byte* destination, int sourceSize, int destinationCapacity, int level);

    /// <summary>Compresses as much of the source as fits in targetDestinationSize (EROFS fixed-output pclusters).</summary>
    [LibraryImport(LibraryName, EntryPoint = "LZ4_compress_destSize")]
    public static partial int CompressDestSize(byte* source, byte* destination, int* sourceSize, int targetDestinationSize);
}
