using Erofs.Accel.Decompression.Interop;

namespace Erofs.Accel.Decompression.Backends.Zstd;

/// <summary>
/// Decodes one zstd frame per EROFS rules through <typeparamref name="TApi"/>. Full decodes without a skip go through
/// the one-shot decoder (the frame must fill the source exactly and produce exactly DecodedLength bytes). Partial
/// decodes and skips stream: skipped bytes go to a small throw-away buffer, decoding stops at DecodedLength, and a full
/// decode then checks that the frame ends there, with nothing after it. Every loop turn makes progress or stops.
/// </summary>
internal static unsafe class ZstdFrameDecoder<TApi> where TApi : IZstdApi
{
    /// <summary>Smallest window log a zstd frame can declare.</summary>
    public const int MinWindowLog = 10;

    /// <summary>Largest window log accepted (zstd's default decoder limit, 128 MiB).</summary>
    public const int MaxWindowLog = 27;

    private const int DiscardLength = 4096;

    public static int EffectiveWindowLog(in DecodeParameters parameters) => Math.Max(parameters.ZstdWindowLog, MinWindowLog);

    public static DecodeStatus Decode(ZstdContextHandle context, ReadOnlySpan<byte> source, Span<byte> output, in DecodeParameters parameters)
    {
        fixed (byte* src = source)
        fixed (byte* dst = output)
        {
            return parameters.Partial || parameters.DecodedSkip > 0
                ? DecodeStreaming(context, src, (nuint)source.Length, dst, parameters)
                : DecodeWhole(context.DangerousGetHandle(), src, (nuint)source.Length, dst, (nuint)output.Length);
        }
    }

    private static DecodeStatus DecodeWhole(nint context, byte* source, nuint sourceLength, byte* output, nuint outputLength)
    {
        nuint frameLength = TApi.FindFrameCompressedSize(source, sourceLength);
        if (TApi.IsError(frameLength) || frameLength != sourceLength) return DecodeStatus.CorruptData;
        nuint produced = TApi.DecompressDCtx(context, output, outputLength, source, sourceLength);
        return !TApi.IsError(produced) && produced == outputLength ? DecodeStatus.Done : DecodeStatus.CorruptData;
    }

    private static DecodeStatus DecodeStreaming(ZstdContextHandle context, byte* source, nuint sourceLength, byte* output, in DecodeParameters parameters)
    {
        nint dctx = context.DangerousGetHandle();
        if (TApi.IsError(TApi.ResetSession(dctx))) return DecodeStatus.BackendFailure;
        int windowLog = EffectiveWindowLog(parameters);
        if (context.WindowLogMax != windowLog)
        {
            if (TApi.IsError(TApi.SetWindowLogMax(dctx, windowLog))) return DecodeStatus.BackendFailure;
            context.WindowLogMax = windowLog;
        }

        byte* discard = stackalloc byte[DiscardLength];
        var input = new ZstdBuffer { Data = source, Size = sourceLength, Position = 0 };
        long skip = parameters.DecodedSkip, target = parameters.DecodedLength, produced = 0;
        while (true)
        {
            bool probing = produced == target;
            ZstdBuffer chunk;
            if (probing)
                chunk = new ZstdBuffer { Data = discard, Size = 1 }; // full decode: any further byte means too long
            else if (produced < skip)
                chunk = new ZstdBuffer { Data = discard, Size = (nuint)Math.Min(DiscardLength, skip - produced) };
            else
                chunk = new ZstdBuffer { Data = output + (produced - skip), Size = (nuint)(target - produced) };

            nuint inputBefore = input.Position;
            nuint hint = TApi.DecompressStream(dctx, &chunk, &input);
            if (TApi.IsError(hint)) return DecodeStatus.CorruptData;
            if (probing && chunk.Position != 0) return DecodeStatus.CorruptData;
            produced += (long)chunk.Position;

            if (produced == target && parameters.Partial) return DecodeStatus.Done;
            if (hint == 0)
            {
                // The frame is complete and flushed: it must be exactly as long as asked and fill the source.
                return produced == target && input.Position == input.Size ? DecodeStatus.Done : DecodeStatus.CorruptData;
            }
            if (chunk.Position == 0 && input.Position == inputBefore) return DecodeStatus.CorruptData; // truncated
        }
    }
}
