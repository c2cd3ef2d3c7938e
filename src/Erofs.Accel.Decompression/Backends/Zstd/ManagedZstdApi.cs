using Erofs.Accel.Decompression.Interop;
using ZstdSharp.Unsafe;

namespace Erofs.Accel.Decompression.Backends.Zstd;

/// <summary><see cref="IZstdApi"/> over ZstdSharp's port of the zstd C API (no native code).</summary>
internal readonly unsafe struct ManagedZstdApi : IZstdApi
{
    public static bool IsError(nuint code) => Methods.ZSTD_isError(code);

    public static nuint FindFrameCompressedSize(byte* source, nuint sourceSize) => Methods.ZSTD_findFrameCompressedSize(source, sourceSize);

    public static nuint DecompressDCtx(nint context, byte* destination, nuint capacity, byte* source, nuint sourceSize) =>
        Methods.ZSTD_decompressDCtx((ZSTD_DCtx_s*)context, destination, capacity, source, sourceSize);

    public static nuint ResetSession(nint context) =>
        Methods.ZSTD_DCtx_reset((ZSTD_DCtx_s*)context, ZSTD_ResetDirective.ZSTD_reset_session_only);

    public static nuint SetWindowLogMax(nint context, int windowLog) =>
        Methods.ZSTD_DCtx_setParameter((ZSTD_DCtx_s*)context, ZSTD_dParameter.ZSTD_d_windowLogMax, windowLog);

    // ZstdBuffer has the layout of ZSTD_inBuffer_s / ZSTD_outBuffer_s (pointer, size, position).
    public static nuint DecompressStream(nint context, ZstdBuffer* output, ZstdBuffer* input) =>
        Methods.ZSTD_decompressStream((ZSTD_DCtx_s*)context, (ZSTD_outBuffer_s*)output, (ZSTD_inBuffer_s*)input);
}
