namespace Erofs.Accel.Decompression;

/// <summary>
/// A backend that pays a fixed cost per submission and so wants many independent pclusters at once (OpenCL).
/// The engine hands it only submissions that <see cref="IsWorthSending"/> accepts; every item whose result is not
/// <see cref="DecodeStatus.Done"/> is decoded again in software by the engine.
/// </summary>
public interface IBatchDecompressionBackend : IDecompressionBackend
{
    /// <summary>Smallest batch of typical pclusters worth sending (calibrated at start-up against software). int.MaxValue = never.</summary>
    int MinimumBatchSize { get; }

    /// <summary>
    /// Whether this submission (requests this backend supports) finishes here sooner than in software on
    /// <paramref name="softwareThreads"/> host threads. The engine asks before every submission. The default
    /// compares the item count with <see cref="MinimumBatchSize"/>.
    /// </summary>
    bool IsWorthSending(ReadOnlySpan<DecompressionRequest> submission, int softwareThreads) => submission.Length >= MinimumBatchSize;

    /// <summary>
    /// Decodes every request of <paramref name="batch"/>; writes one result per request into <paramref name="results"/>
    /// (same index). Never throws for bad data: a malformed item gets a non-Done status.
    /// </summary>
    ValueTask DecodeBatchAsync(ReadOnlyMemory<DecompressionRequest> batch, Memory<DecompressionResult> results, CancellationToken cancellationToken = default);
}
