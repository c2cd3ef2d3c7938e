namespace Erofs.Accel.Decompression;

/// <summary>
/// Anything that decodes pclusters for the reader: <see cref="SoftwareDecompressor"/>, or the offload engine. The
/// contract is synchronous and span-based: a call returns once the destination holds the decoded bytes (or the
/// result says why not), and nothing touches the caller's memory afterwards. Software decoders run inline on the
/// caller's thread with no task and no allocation; an engine that hands a request to an accelerator waits for the
/// device inside the call. A result with <see cref="DecodeStatus.Done"/> guarantees the destination holds exactly
/// <see cref="DecodeParameters.OutputLength"/> correct bytes. Bad data never throws (it yields
/// <see cref="DecodeStatus.CorruptData"/>); invalid parameters throw <see cref="ArgumentException"/>.
/// </summary>
public interface IPclusterDecompressor
{
    /// <summary>
    /// Decodes <paramref name="source"/> (the exact compressed stream, zero padding removed) and writes decoded bytes
    /// <c>[DecodedSkip, DecodedLength)</c> to the start of <paramref name="destination"/>.
    /// </summary>
    DecompressionResult Decompress(ReadOnlySpan<byte> source, Span<byte> destination, in DecodeParameters parameters);

    /// <summary>
    /// Decodes many independent pclusters: item i reads its stream from <paramref name="source"/> and writes its
    /// output into <paramref name="destination"/> (see <see cref="DecompressionBatchItem"/>; destinations must not
    /// overlap); <paramref name="results"/>[i] receives its result. The default decodes them one after another; the
    /// engine overrides it to hand them to a batch accelerator or to spread them over a bounded number of threads.
    /// </summary>
    void DecompressBatch(ReadOnlySpan<byte> source, Span<byte> destination, ReadOnlySpan<DecompressionBatchItem> items,
        Span<DecompressionResult> results)
    {
        DecompressionBatchItem.ValidateAll(source.Length, destination.Length, items, results.Length);
        for (int i = 0; i < items.Length; i++)
        {
            var item = items[i];
            results[i] = Decompress(item.SourceIn(source), item.DestinationIn(destination), item.Parameters);
        }
    }
}

/// <summary>
/// One pcluster of a batch: its compressed stream is <c>source[SourceOffset, +SourceLength)</c> of the batch's source
/// span, and its <see cref="DecodeParameters.OutputLength"/> decoded bytes go to
/// <c>destination[DestinationOffset, +OutputLength)</c> of the batch's destination span.
/// </summary>
public readonly record struct DecompressionBatchItem(int SourceOffset, int SourceLength, int DestinationOffset, DecodeParameters Parameters)
{
    /// <summary>The item's compressed stream within the batch's source.</summary>
    public ReadOnlySpan<byte> SourceIn(ReadOnlySpan<byte> source) => source.Slice(SourceOffset, SourceLength);

    /// <summary>Where the item's decoded bytes go within the batch's destination.</summary>
    public Span<byte> DestinationIn(Span<byte> destination) => destination.Slice(DestinationOffset, Parameters.OutputLength);

    /// <summary>
    /// Checks every item's parameters and that its ranges lie inside the batch's spans; throws
    /// <see cref="ArgumentException"/> naming the first bad item, before anything is decoded.
    /// </summary>
    public static void ValidateAll(int sourceLength, int destinationLength, ReadOnlySpan<DecompressionBatchItem> items, int resultsLength)
    {
        if (resultsLength < items.Length) throw new ArgumentException("results shorter than the batch", "results");
        for (int i = 0; i < items.Length; i++)
        {
            var item = items[i];
            if (!item.Parameters.IsValidFor(item.SourceLength, item.Parameters.OutputLength, out var problem))
                throw new ArgumentException($"batch item {i}: invalid decode parameters: {problem}", nameof(items));
            if (item.SourceOffset < 0 || item.SourceOffset > sourceLength - item.SourceLength)
                throw new ArgumentException($"batch item {i}: source [{item.SourceOffset}, +{item.SourceLength}) outside the {sourceLength}-byte source", nameof(items));
            if (item.DestinationOffset < 0 || item.DestinationOffset > destinationLength - item.Parameters.OutputLength)
                throw new ArgumentException(
                    $"batch item {i}: destination [{item.DestinationOffset}, +{item.Parameters.OutputLength}) outside the {destinationLength}-byte destination", nameof(items));
        }
    }
}

/// <summary>Result of a request: how it ended, which backend produced the bytes, and whether a fallback happened.</summary>
public readonly record struct DecompressionResult(DecodeStatus Status, int BytesWritten, string Backend, FallbackReason Fallback = FallbackReason.None)
{
    /// <summary>True when the stream decoded to the expected bytes.</summary>
    public bool Succeeded => Status == DecodeStatus.Done;
}

/// <summary>
/// A pcluster as it travels inside the engine's accelerator lanes and to batch backends (<see cref="IBatchDecompressionBackend"/>):
/// memory that stays valid while a device works on it asynchronously. The reader never builds these; the engine
/// lends the caller's spans this way only for the duration of its own wait.
/// </summary>
public readonly record struct DecompressionRequest(ReadOnlyMemory<byte> Source, Memory<byte> Destination, DecodeParameters Parameters);

/// <summary>Why a request was decoded by software after an accelerator was considered or tried.</summary>
public enum FallbackReason
{
    /// <summary>No fallback: the chosen backend decoded it.</summary>
    None = 0,
    /// <summary>The accelerator is absent on this machine or failed to start.</summary>
    BackendUnavailable,
    /// <summary>The circuit breaker has taken the accelerator out of rotation after repeated failures.</summary>
    BackendUnhealthy,
    /// <summary>The accelerator does not take these parameters (algorithm, window, length, partial decode).</summary>
    Unsupported,
    /// <summary>The accelerator returned an error.</summary>
    BackendFailed,
    /// <summary>The accelerator did not answer within the engine's timeout.</summary>
    TimedOut,
    /// <summary>The accelerator produced a different number of bytes than the pcluster decodes to.</summary>
    WrongLength,
    /// <summary>The accelerator called the data corrupt; software decoded it to check.</summary>
    CorruptReportedByBackend,
}
