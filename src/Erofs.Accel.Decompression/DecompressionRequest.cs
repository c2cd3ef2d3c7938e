namespace Erofs.Accel.Decompression;

/// <summary>
/// One pcluster to decode, as the reader hands it to a decompressor (the engine or the plain software decoder):
/// input bytes, output memory and the decode parameters. The memory must stay valid until the request completes.
/// </summary>
public readonly record struct DecompressionRequest(ReadOnlyMemory<byte> Source, Memory<byte> Destination, DecodeParameters Parameters);

/// <summary>Result of a request: how it ended, which backend produced the bytes, and whether a fallback happened.</summary>
public readonly record struct DecompressionResult(DecodeStatus Status, int BytesWritten, string Backend, FallbackReason Fallback = FallbackReason.None)
{
    public bool Succeeded => Status == DecodeStatus.Done;
}

/// <summary>Why a request was decoded by software after an accelerator was considered or tried.</summary>
public enum FallbackReason
{
    None = 0,
    BackendUnavailable,
    BackendUnhealthy,
    Unsupported,
    BackendFailed,
    TimedOut,
    WrongLength,
    CorruptReportedByBackend,
}

/// <summary>Thrown when a stream cannot be decoded and software decoding confirms it is corrupt.</summary>
public sealed class CorruptCompressedDataException : Exception
{
    public CompressionAlgorithm Algorithm { get; }

    public CorruptCompressedDataException(CompressionAlgorithm algorithm, string message)
        : base(message) => Algorithm = algorithm;
}

/// <summary>
/// Anything that decodes pclusters for the reader: <see cref="SoftwareDecompressor"/> synchronously, or the offload
/// engine asynchronously. A completed result with <see cref="DecodeStatus.Done"/> guarantees the destination holds
/// exactly <see cref="DecodeParameters.OutputLength"/> correct bytes.
/// </summary>
public interface IPclusterDecompressor
{
    ValueTask<DecompressionResult> DecompressAsync(DecompressionRequest request, CancellationToken cancellationToken = default);

    /// <summary>
    /// Decodes many independent requests; <paramref name="results"/>[i] receives the result of <paramref name="batch"/>[i].
    /// The default runs them one after another; the engine overrides it to batch (OpenCL) or spread them over workers.
    /// </summary>
    async ValueTask DecompressBatchAsync(ReadOnlyMemory<DecompressionRequest> batch, Memory<DecompressionResult> results, CancellationToken cancellationToken = default)
    {
        if (results.Length < batch.Length) throw new ArgumentException("results shorter than batch", nameof(results));
        for (int i = 0; i < batch.Length; i++)
        {
            var r = await DecompressAsync(batch.Span[i], cancellationToken).ConfigureAwait(false);
            results.Span[i] = r;
        }
    }
}
