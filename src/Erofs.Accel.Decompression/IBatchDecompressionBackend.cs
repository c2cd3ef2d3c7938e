namespace Erofs.Accel.Decompression;

/// <summary>
/// A backend that pays a fixed cost per submission and so wants many independent pclusters at once (OpenCL).
/// The engine hands it batches of at least <see cref="MinimumBatchSize"/> requests; every item whose result is not
/// <see cref="DecodeStatus.Done"/> is decoded again in software by the engine.
/// </summary>
public interface IBatchDecompressionBackend : IDecompressionBackend
{
    /// <summary>Smallest batch worth sending (calibrated at start-up against software). int.MaxValue = never.</summary>
    int MinimumBatchSize { get; }

    /// <summary>
    /// Decodes every request of <paramref name="batch"/>; writes one result per request into <paramref name="results"/>
    /// (same index). Never throws for bad data: a malformed item gets a non-Done status.
    /// </summary>
    ValueTask DecodeBatchAsync(ReadOnlyMemory<DecompressionRequest> batch, Memory<DecompressionResult> results, CancellationToken cancellationToken = default);
}
