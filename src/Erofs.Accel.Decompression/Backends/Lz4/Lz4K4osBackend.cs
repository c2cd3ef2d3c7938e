using Erofs.Accel.Decompression.Software;
using K4os.Compression.LZ4;

namespace Erofs.Accel.Decompression.Backends.Lz4;

/// <summary>
/// LZ4 block decoder in managed code (K4os.Compression.LZ4). Always available. Full decodes require the block to
/// end exactly at the end of the source and produce exactly DecodedLength bytes; partial decodes stop at DecodedLength.
/// </summary>
public sealed class Lz4K4osBackend : WholeBufferBackend
{
    /// <summary>The name the engine, the CLI and reports use for this backend.</summary>
    public const string BackendName = "lz4-k4os";

    /// <summary>A managed LZ4 decoder (K4os.Compression.LZ4; always available).</summary>
    public Lz4K4osBackend()
        : base(BackendName, CompressionAlgorithm.Lz4, BackendAvailability.Available("managed, K4os.Compression.LZ4")) { }

    /// <inheritdoc/>
    protected override DecodeStatus DecodeFromStart(ReadOnlySpan<byte> source, Span<byte> target, in DecodeParameters parameters)
    {
        // Decode returns a negative value for malformed input and for a block longer than the target; it rejects input
        // left over after the last sequence. PartialDecode writes at most target.Length bytes.
        int produced = parameters.Partial
            ? LZ4Codec.PartialDecode(source, target)
            : LZ4Codec.Decode(source, target);
        return produced == target.Length ? DecodeStatus.Done : DecodeStatus.CorruptData;
    }
}
