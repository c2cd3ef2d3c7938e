namespace Erofs.Accel.Decompression.Software;

/// <summary>
/// Common shell of the software backends: one algorithm each, parameter validation, availability and the
/// "write exactly OutputLength bytes or report why not" contract. Subclasses only implement the decoding itself.
/// </summary>
public abstract class SoftwareBackend : IDecompressionBackend
{
    /// <summary>Largest decoded length a backend will stage in a temporary buffer (EROFS extents are at most 12 MiB).</summary>
    public const int MaxScratchLength = 64 << 20;

    private readonly CompressionAlgorithm[] _algorithms;

    /// <summary>A backend named <paramref name="name"/> that decodes <paramref name="algorithm"/>.</summary>
    protected SoftwareBackend(string name, CompressionAlgorithm algorithm, BackendAvailability availability)
    {
        Name = name;
        Algorithm = algorithm;
        Availability = availability;
        _algorithms = [algorithm];
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <inheritdoc/>
    public BackendKind Kind => BackendKind.Software;

    /// <inheritdoc/>
    public BackendAvailability Availability { get; }

    /// <summary>The one algorithm this backend decodes.</summary>
    public CompressionAlgorithm Algorithm { get; }

    /// <inheritdoc/>
    public IReadOnlyCollection<CompressionAlgorithm> Algorithms => _algorithms;

    /// <summary>False for decoders that cannot stop early (they then take only full decodes).</summary>
    public virtual bool SupportsPartial => true;

    /// <inheritdoc/>
    public bool Supports(in DecodeParameters parameters, int sourceLength) =>
        Availability.IsAvailable
        && parameters.Algorithm == Algorithm
        && parameters.IsValidFor(sourceLength, parameters.OutputLength, out _)
        && (SupportsPartial || !parameters.Partial)
        && SupportsCore(parameters);

    /// <inheritdoc/>
    public DecodeStatus Decode(ReadOnlySpan<byte> source, Span<byte> destination, in DecodeParameters parameters, out int bytesWritten)
    {
        bytesWritten = 0;
        if (!Availability.IsAvailable || parameters.Algorithm != Algorithm) return DecodeStatus.Unsupported;
        if (!parameters.IsValidFor(source.Length, destination.Length, out _)) return DecodeStatus.Unsupported;
        if (parameters.Partial && !SupportsPartial) return DecodeStatus.Unsupported;
        if (!SupportsCore(parameters)) return DecodeStatus.Unsupported;

        var status = DecodeCore(source, destination[..parameters.OutputLength], parameters);
        if (status == DecodeStatus.Done) bytesWritten = parameters.OutputLength;
        return status;
    }

    /// <summary>Backend-specific limits beyond the common checks (window sizes, scratch needs).</summary>
    protected virtual bool SupportsCore(in DecodeParameters parameters) => true;

    /// <summary>
    /// Decodes with parameters already validated. <paramref name="output"/> is exactly OutputLength bytes long and must
    /// be filled completely when returning <see cref="DecodeStatus.Done"/>.
    /// </summary>
    protected abstract DecodeStatus DecodeCore(ReadOnlySpan<byte> source, Span<byte> output, in DecodeParameters parameters);

    /// <summary>The name and availability.</summary>
    public override string ToString() => $"{Name}: {Availability}";
}
