using Erofs.Accel.Decompression.Interop;

namespace Erofs.Accel.Decompression.Backends.Zstd;

/// <summary>
/// The handful of zstd decoding calls <see cref="ZstdFrameDecoder{TApi}"/> needs, implemented once over native
/// libzstd and once over ZstdSharp (a line-by-line C# port with the same API), so both backends share one algorithm.
/// Context pointers are opaque <c>ZSTD_DCtx*</c>; sizes follow zstd's size_t error-code convention.
/// </summary>
internal unsafe interface IZstdApi
{
    static abstract bool IsError(nuint code);

    static abstract nuint FindFrameCompressedSize(byte* source, nuint sourceSize);

    static abstract nuint DecompressDCtx(nint context, byte* destination, nuint capacity, byte* source, nuint sourceSize);

    static abstract nuint ResetSession(nint context);

    static abstract nuint SetWindowLogMax(nint context, int windowLog);

    static abstract nuint DecompressStream(nint context, ZstdBuffer* output, ZstdBuffer* input);
}
