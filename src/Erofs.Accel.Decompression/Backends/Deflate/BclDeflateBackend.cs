using System.IO.Compression;
using Erofs.Accel.Decompression.Software;

namespace Erofs.Accel.Decompression.Backends.Deflate;

/// <summary>
/// Raw DEFLATE decoder over the BCL <see cref="DeflateStream"/> (zlib-ng inside .NET). Always available; handles
/// partial decodes (reads exactly DecodedLength bytes and stops). The inflater sees exactly the source bytes, so it
/// can never read past the pcluster; a full decode is corrupt unless the inflater reaches the final block without
/// asking for input beyond the source. Allocates a DeflateStream per call (the fast path is libdeflate).
/// </summary>
public sealed class BclDeflateBackend : SoftwareBackend
{
    /// <summary>The name the engine, the CLI and reports use for this backend.</summary>
    public const string BackendName = "deflate-bcl";

    private const int DiscardLength = 4096;

    [ThreadStatic] private static BoundedSourceStream? t_source;

    /// <summary>A DEFLATE decoder over System.IO.Compression (always available).</summary>
    public BclDeflateBackend()
        : base(BackendName, CompressionAlgorithm.Deflate, BackendAvailability.Available("managed, System.IO.Compression")) { }

    /// <inheritdoc/>
    protected override unsafe DecodeStatus DecodeCore(ReadOnlySpan<byte> source, Span<byte> output, in DecodeParameters parameters)
    {
        var input = t_source ??= new BoundedSourceStream();
        t_source = null; // a nested call on this thread (not expected) gets its own stream
        try
        {
            fixed (byte* src = source)
            {
                input.Reset(src, source.Length);
                try
                {
                    using var inflater = new DeflateStream(input, CompressionMode.Decompress, leaveOpen: true);
                    return Inflate(inflater, input, output, parameters);
                }
                finally
                {
                    input.Clear();
                }
            }
        }
        catch (InvalidDataException)
        {
            return DecodeStatus.CorruptData;
        }
        finally
        {
            t_source = input;
        }
    }

    private static DecodeStatus Inflate(DeflateStream inflater, BoundedSourceStream input, Span<byte> output, in DecodeParameters parameters)
    {
        Span<byte> discard = stackalloc byte[DiscardLength];
        int toSkip = parameters.DecodedSkip;
        while (toSkip > 0)
        {
            int n = inflater.Read(discard[..Math.Min(toSkip, DiscardLength)]);
            if (n <= 0) return DecodeStatus.CorruptData;
            toSkip -= n;
        }

        int filled = 0;
        while (filled < output.Length)
        {
            int n = inflater.Read(output[filled..]);
            if (n <= 0) return DecodeStatus.CorruptData;
            filled += n;
        }
        if (parameters.Partial) return DecodeStatus.Done;

        // Full decode: the stream must end here. One more byte of output means it is too long; needing input beyond the
        // source means the final block never came (a truncated stream, which DeflateStream itself does not report).
        if (inflater.Read(discard[..1]) != 0) return DecodeStatus.CorruptData;
        return input.ReadPastEnd ? DecodeStatus.CorruptData : DecodeStatus.Done;
    }
}
