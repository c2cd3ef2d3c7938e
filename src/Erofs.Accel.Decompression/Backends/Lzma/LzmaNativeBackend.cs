using System.Numerics;
using System.Runtime.InteropServices;
using Erofs.Accel.Decompression.Interop;
using Erofs.Accel.Decompression.Software;

namespace Erofs.Accel.Decompression.Backends.Lzma;

/// <summary>
/// MicroLZMA decoder over native liblzma (<c>lzma_microlzma_decoder</c>, as erofs-utils and the kernel use it).
/// Full decodes pass <c>uncomp_size_is_exact = true</c> and require LZMA_STREAM_END at exactly DecodedLength bytes;
/// partial decodes stop there. The dictionary is the writer's size capped at the decoded length rounded up to a power
/// of two (no match can reach further back), which bounds memory. lzma_streams are pooled and re-initialised, so
/// steady-state calls allocate nothing.
/// </summary>
public sealed class LzmaNativeBackend : SoftwareBackend, IDisposable
{
    /// <summary>The name the engine, the CLI and reports use for this backend.</summary>
    public const string BackendName = "lzma-liblzma";

    /// <summary>Largest dictionary this backend will let liblzma allocate for one stream.</summary>
    public const int MaxDictionarySize = 64 << 20;

    private const int MinDictionarySize = 4096;
    private const int DiscardLength = 4096;

    private readonly NativeContextPool<LzmaStreamHandle> _streams = new(LzmaStreamHandle.TryCreate);

    /// <summary>A MicroLZMA decoder over the system's liblzma; unavailable (with the reason) when the library does not load.</summary>
    public LzmaNativeBackend() : this(LzmaNative.LibraryName) { }

    /// <summary>Probes <paramref name="libraryName"/> instead of the real soname (tests simulate a missing library).</summary>
    internal LzmaNativeBackend(string libraryName)
        : base(BackendName, CompressionAlgorithm.MicroLzma, DescribeAvailability(libraryName)) { }

    private static unsafe BackendAvailability DescribeAvailability(string libraryName)
    {
        var availability = NativeLibraryProbe.Probe(libraryName, LzmaNative.RequiredExports);
        if (!availability.IsAvailable || libraryName != LzmaNative.LibraryName) return availability;
        return BackendAvailability.Available($"{libraryName} {Marshal.PtrToStringUTF8((nint)LzmaNative.VersionString())}");
    }

    /// <summary>Dictionary handed to liblzma for these parameters.</summary>
    internal static uint EffectiveDictionarySize(in DecodeParameters parameters)
    {
        uint reach = Math.Max(BitOperations.RoundUpToPowerOf2((uint)parameters.DecodedLength), MinDictionarySize);
        uint declared = parameters.LzmaDictionarySize > 0 ? (uint)parameters.LzmaDictionarySize : reach;
        return Math.Max(Math.Min(declared, reach), MinDictionarySize);
    }

    /// <inheritdoc/>
    protected override bool SupportsCore(in DecodeParameters parameters) => EffectiveDictionarySize(parameters) <= MaxDictionarySize;

    /// <inheritdoc/>
    protected override unsafe DecodeStatus DecodeCore(ReadOnlySpan<byte> source, Span<byte> output, in DecodeParameters parameters)
    {
        var handle = _streams.Rent();
        if (handle is null) return DecodeStatus.BackendFailure;
        try
        {
            var stream = handle.Stream;
            var init = LzmaNative.MicroLzmaDecoder(
                stream, (ulong)source.Length, (ulong)parameters.DecodedLength,
                parameters.Partial ? (byte)0 : (byte)1, EffectiveDictionarySize(parameters));
            if (init != LzmaNative.Ret.Ok)
                return init == LzmaNative.Ret.MemError ? DecodeStatus.BackendFailure : DecodeStatus.CorruptData;

            fixed (byte* src = source)
            fixed (byte* dst = output)
            {
                stream->NextIn = src;
                stream->AvailIn = (nuint)source.Length;
                var status = Run(stream, dst, output.Length, parameters.DecodedSkip, exact: !parameters.Partial);
                stream->NextIn = null;
                stream->NextOut = null;
                return status;
            }
        }
        finally
        {
            _streams.Return(handle);
        }
    }

    /// <summary>Decodes: the first <paramref name="skip"/> bytes into a throw-away buffer, then exactly outputLength bytes.</summary>
    private static unsafe DecodeStatus Run(LzmaNative.Stream* stream, byte* output, int outputLength, int skip, bool exact)
    {
        byte* discard = stackalloc byte[DiscardLength];
        ulong target = (ulong)skip + (ulong)outputLength;
        while (true)
        {
            ulong produced = stream->TotalOut;
            if (produced == target)
            {
                // Everything wanted exists. A partial decode is done; a full one must also see the stream end, so
                // liblzma gets a one-byte probe it may not use (it stops at uncomp_size by itself).
                if (!exact) return DecodeStatus.Done;
                stream->NextOut = discard;
                stream->AvailOut = 1;
            }
            else if (produced < (ulong)skip)
            {
                stream->NextOut = discard;
                stream->AvailOut = (nuint)Math.Min((ulong)DiscardLength, (ulong)skip - produced);
            }
            else
            {
                ulong written = produced - (ulong)skip;
                stream->NextOut = output + written;
                stream->AvailOut = (nuint)((ulong)outputLength - written);
            }

            ulong inBefore = stream->TotalIn, outBefore = stream->TotalOut;
            var ret = LzmaNative.Code(stream, LzmaNative.Action.Finish);
            switch (ret)
            {
                case LzmaNative.Ret.StreamEnd:
                    return stream->TotalOut == target ? DecodeStatus.Done : DecodeStatus.CorruptData;
                case LzmaNative.Ret.Ok:
                    if (stream->TotalIn == inBefore && stream->TotalOut == outBefore) return DecodeStatus.CorruptData;
                    if (stream->TotalOut > target) return DecodeStatus.CorruptData;
                    continue;
                case LzmaNative.Ret.MemError:
                    return DecodeStatus.BackendFailure;
                default:
                    // DataError, BufError (truncated: no progress possible), OptionsError (bad properties byte), ...
                    return DecodeStatus.CorruptData;
            }
        }
    }

    /// <summary>Frees the pooled liblzma streams.</summary>
    public void Dispose() => _streams.Dispose();
}
