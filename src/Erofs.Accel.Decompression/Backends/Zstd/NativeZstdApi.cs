using Erofs.Accel.Decompression.Interop;

namespace Erofs.Accel.Decompression.Backends.Zstd;

/// <summary><see cref="IZstdApi"/> over native libzstd.</summary>
internal readonly unsafe struct NativeZstdApi : IZstdApi
{
    public static bool IsError(nuint code) => ZstdNative.IsError(code) != 0;

    public static nuint FindFrameCompressedSize(byte* source, nuint sourceSize) => ZstdNative.FindFrameCompressedSize(source, sourceSize);

    public static nuint DecompressDCtx(nint context, byte* destination, nuint capacity, byte* source, nuint sourceSize) =>
        ZstdNative.DecompressDCtx(context, destination, capacity, source, sourceSize);

    public static nuint ResetSession(nint context) => ZstdNative.DCtxReset(context, ZstdNative.ResetSessionOnly);

    public static nuint SetWindowLogMax(nint context, int windowLog) =>
        ZstdNative.DCtxSetParameter(context, ZstdNative.ParameterWindowLogMax, windowLog);

    public static nuint DecompressStream(nint context, ZstdBuffer* output, ZstdBuffer* input) =>
        ZstdNative.DecompressStream(context, output, input);
}
