namespace Erofs.Accel.Decompression.Tests.Engine.Support;

/// <summary>
/// Test batch backend: decodes each item with the software decoder, optionally failing chosen items, throwing, or
/// hanging a whole batch; records the batch sizes it saw.
/// </summary>
internal sealed class TestBatchBackend : IBatchDecompressionBackend, IDisposable
{
    private static readonly CompressionAlgorithm[] Supported = [CompressionAlgorithm.Lz4, CompressionAlgorithm.Deflate];
    private readonly SoftwareDecompressor _reference = new();
    private readonly ManualResetEventSlim _release = new(false);
    private readonly List<int> _batchSizes = new();

    public TestBatchBackend(string name, int minimumBatchSize)
    {
        Name = name;
        MinimumBatchSize = minimumBatchSize;
    }

    public string Name { get; }
    public BackendKind Kind => BackendKind.OpenCl;
    public BackendAvailability Availability => BackendAvailability.Available("test double");
    public IReadOnlyCollection<CompressionAlgorithm> Algorithms => Supported;
    public int MinimumBatchSize { get; set; }

    /// <summary>Every n-th item (1-based within a batch) is answered with this status instead of being decoded.</summary>
    public (int Every, DecodeStatus Status)? FailItems { get; set; }

    /// <summary>Whole batches end with an exception.</summary>
    public bool ThrowOnBatch { get; set; }

    /// <summary>Whole batches block until <see cref="ReleaseHangs"/>.</summary>
    public bool HangBatches { get; set; }

    public IReadOnlyList<int> BatchSizes { get { lock (_batchSizes) return _batchSizes.ToArray(); } }

    public void ReleaseHangs() => _release.Set();

    public bool Supports(in DecodeParameters parameters, int sourceLength) =>
        Supported.Contains(parameters.Algorithm) && parameters.IsValidFor(sourceLength, parameters.OutputLength, out _);

    public DecodeStatus Decode(ReadOnlySpan<byte> source, Span<byte> destination, in DecodeParameters parameters, out int bytesWritten)
    {
        var r = _reference.Decompress(source, destination, parameters);
        bytesWritten = r.BytesWritten;
        return r.Status;
    }

    public async ValueTask DecodeBatchAsync(ReadOnlyMemory<DecompressionRequest> batch, Memory<DecompressionResult> results,
        CancellationToken cancellationToken = default)
    {
        lock (_batchSizes) _batchSizes.Add(batch.Length);
        await Task.Yield();
        if (HangBatches) _release.Wait(TimeSpan.FromSeconds(60));
        if (ThrowOnBatch) throw new InvalidOperationException("injected batch failure");
        for (int i = 0; i < batch.Length; i++)
        {
            var request = batch.Span[i];
            if (FailItems is { } f && (i + 1) % f.Every == 0)
            {
                request.Destination.Span.Fill(0xEE);
                results.Span[i] = new DecompressionResult(f.Status, 0, Name);
                continue;
            }
            var r = _reference.Decompress(request.Source.Span, request.Destination.Span, request.Parameters);
            results.Span[i] = r with { Backend = Name };
        }
    }

    public void Dispose()
    {
        _release.Set();
        _reference.Dispose();
    }
}
