using System.Buffers;

namespace Erofs.Accel.Decompression.Software;

/// <summary>
/// Base for decoders that can only write decoded bytes from byte 0 on (LZ4, libdeflate): a request with
/// DecodedSkip &gt; 0 is decoded into a pooled scratch buffer and the wanted range copied out.
/// </summary>
public abstract class WholeBufferBackend : SoftwareBackend
{
    /// <summary>A backend named <paramref name="name"/> that decodes <paramref name="algorithm"/> from the start of each stream.</summary>
    protected WholeBufferBackend(string name, CompressionAlgorithm algorithm, BackendAvailability availability)
        : base(name, algorithm, availability) { }

    /// <inheritdoc/>
    protected override bool SupportsCore(in DecodeParameters parameters) =>
        parameters.DecodedSkip == 0 || parameters.DecodedLength <= MaxScratchLength;

    /// <inheritdoc/>
    protected sealed override DecodeStatus DecodeCore(ReadOnlySpan<byte> source, Span<byte> output, in DecodeParameters parameters)
    {
        if (parameters.DecodedSkip == 0) return DecodeFromStart(source, output, parameters);

        var scratch = ArrayPool<byte>.Shared.Rent(parameters.DecodedLength);
        try
        {
            var decoded = scratch.AsSpan(0, parameters.DecodedLength);
            var status = DecodeFromStart(source, decoded, parameters);
            if (status == DecodeStatus.Done) decoded[parameters.DecodedSkip..].CopyTo(output);
            return status;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    /// <summary>
    /// Decodes decoded bytes [0, DecodedLength) into <paramref name="target"/> (exactly DecodedLength long), honouring
    /// <see cref="DecodeParameters.Partial"/>. Done only when the whole target was filled.
    /// </summary>
    protected abstract DecodeStatus DecodeFromStart(ReadOnlySpan<byte> source, Span<byte> target, in DecodeParameters parameters);
}
