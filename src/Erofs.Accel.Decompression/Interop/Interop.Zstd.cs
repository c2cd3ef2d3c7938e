using System.Runtime.InteropServices;

namespace Erofs.Accel.Decompression.Interop;

/// <summary>Bindings to libzstd (Debian libzstd1): frame decoding, one-shot and streaming.</summary>
internal static unsafe partial class ZstdNative
{
    public const string LibraryName = "libzstd.so.1";

    public static readonly string[] RequiredExports =
    [
        "ZSTD_createDCtx", "ZSTD_freeDCtx", "ZSTD_DCtx_setParameter", "ZSTD_DCtx_reset", "ZSTD_decompressDCtx",
        "ZSTD_decompressStream", "ZSTD_findFrameCompressedSize", "ZSTD_isError", "ZSTD_versionString",
    ];

    /// <summary>ZSTD_d_windowLogMax.</summary>
    public const int ParameterWindowLogMax = 100;

    /// <summary>ZSTD_reset_session_only.</summary>
    public const int ResetSessionOnly = 1;

    [LibraryImport(LibraryName, EntryPoint = "ZSTD_createDCtx")]
    public static partial nint CreateDCtx();

    [LibraryImport(LibraryName, EntryPoint = "ZSTD_freeDCtx")]
    public static partial nuint FreeDCtx(nint context);

    [LibraryImport(LibraryName, EntryPoint = "ZSTD_DCtx_setParameter")]
    public static partial nuint DCtxSetParameter(nint context, int parameter, int value);

    [LibraryImport(LibraryName, EntryPoint = "ZSTD_DCtx_reset")]
    public static partial nuint DCtxReset(nint context, int directive);

    [LibraryImport(LibraryName, EntryPoint = "ZSTD_decompressDCtx")]
    public static partial nuint DecompressDCtx(nint context, byte* destination, nuint destinationCapacity, byte* source, nuint sourceSize);

    [LibraryImport(LibraryName, EntryPoint = "ZSTD_decompressStream")]
    public static partial nuint DecompressStream(nint context, ZstdBuffer* output, ZstdBuffer* input);

    [LibraryImport(LibraryName, EntryPoint = "ZSTD_findFrameCompressedSize")]
    public static partial nuint FindFrameCompressedSize(byte* source, nuint sourceSize);

    [LibraryImport(LibraryName, EntryPoint = "ZSTD_isError")]
    [SuppressGCTransition]
    public static partial uint IsError(nuint code);

    [LibraryImport(LibraryName, EntryPoint = "ZSTD_versionString")]
    public static partial byte* VersionString();
}

/// <summary>ZSTD_inBuffer / ZSTD_outBuffer (identical layout): pointer, size, position.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct ZstdBuffer
{
    public byte* Data;
    public nuint Size;
    public nuint Position;
}
