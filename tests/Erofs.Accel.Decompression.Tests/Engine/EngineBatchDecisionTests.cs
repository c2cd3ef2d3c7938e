using Erofs.Accel.Decompression.Engine;
using Erofs.Accel.Decompression.Tests.Engine.Support;

namespace Erofs.Accel.Decompression.Tests.Engine;

/// <summary>
/// The engine asks a batch backend, before each submission, whether it is worth sending, telling it how many threads
/// software would give those items (the FUSE read path sends only what clears the backend's calibrated break-even).
/// </summary>
public sealed class EngineBatchDecisionTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A test batch backend whose answer to IsWorthSending is set by the test; records every question.</summary>
    private sealed class DecidingBackend(bool worth) : IBatchDecompressionBackend, IDisposable
    {
        private readonly TestBatchBackend inner = new("decider", minimumBatchSize: 2);
        private readonly List<(int Items, long Bytes, int Threads)> questions = new();

        public IReadOnlyList<(int Items, long Bytes, int Threads)> Questions { get { lock (questions) return questions.ToArray(); } }
        public IReadOnlyList<int> BatchSizes => inner.BatchSizes;
        public string Name => inner.Name;
        public BackendKind Kind => inner.Kind;
        public BackendAvailability Availability => inner.Availability;
        public IReadOnlyCollection<CompressionAlgorithm> Algorithms => inner.Algorithms;
        public int MinimumBatchSize => inner.MinimumBatchSize;

        public bool IsWorthSending(ReadOnlySpan<DecompressionRequest> submission, int softwareThreads)
        {
            long bytes = 0;
            foreach (var r in submission) bytes += r.Parameters.OutputLength;
            lock (questions) questions.Add((submission.Length, bytes, softwareThreads));
            return worth;
        }

        public bool Supports(in DecodeParameters parameters, int sourceLength) => inner.Supports(parameters, sourceLength);

        public DecodeStatus Decode(ReadOnlySpan<byte> source, Span<byte> destination, in DecodeParameters parameters, out int bytesWritten) =>
            inner.Decode(source, destination, parameters, out bytesWritten);

        public ValueTask DecodeBatchAsync(ReadOnlyMemory<DecompressionRequest> batch, Memory<DecompressionResult> results,
            CancellationToken cancellationToken = default) => inner.DecodeBatchAsync(batch, results, cancellationToken);

        public void Dispose() => inner.Dispose();
    }

    private static EngineOptions Options(int softwareParallelism) => EngineFactory.Options("decider", "decider") with
    {
        SoftwareParallelism = softwareParallelism,
        ParallelSoftwareThreshold = 8,
        ParallelSoftwareMinBytes = 0,
    };

    private static (DecompressionRequest[] Requests, Payload[] Payloads) Batch(int count, int seed)
    {
        var payloads = Payloads.Mixed(count * 2, seed).Where(p => p.Algorithm is CompressionAlgorithm.Lz4 or CompressionAlgorithm.Deflate).Take(count).ToArray();
        return (payloads.Select(p => new DecompressionRequest(p.Compressed, new byte[p.Original.Length], p.Parameters())).ToArray(), payloads);
    }

    [Theory]
    [InlineData(20, 3, 3)]    // enough items to spread: software would get every allowed thread
    [InlineData(5, 3, 1)]     // below ParallelSoftwareThreshold: software would decode them on one thread
    [InlineData(20, 1, 1)]
    public async Task AsksWithTheThreadsSoftwareWouldUse_AndSendsWhatIsWorthIt(int count, int parallelism, int expectedThreads)
    {
        using var backend = new DecidingBackend(worth: true);
        await using var engine = EngineFactory.Create(Options(parallelism), backend);
        var (requests, payloads) = Batch(count, seed: 7);
        var results = new DecompressionResult[requests.Length];

        await engine.DecompressBatchAsync(requests, results, Ct);

        var q = Assert.Single(backend.Questions);
        Assert.Equal(count, q.Items);
        Assert.Equal(payloads.Sum(p => (long)p.Original.Length), q.Bytes);
        Assert.Equal(expectedThreads, q.Threads);
        Assert.Equal([count], backend.BatchSizes);
        for (int i = 0; i < count; i++)
        {
            Assert.Equal(DecodeStatus.Done, results[i].Status);
            Assert.Equal("decider", results[i].Backend);
            Assert.True(requests[i].Destination.Span.SequenceEqual(payloads[i].Original));
        }
    }

    [Fact]
    public async Task WhatIsNotWorthIt_StaysInSoftware()
    {
        using var backend = new DecidingBackend(worth: false);
        await using var engine = EngineFactory.Create(Options(4), backend);
        var (requests, payloads) = Batch(30, seed: 8);
        var results = new DecompressionResult[requests.Length];

        await engine.DecompressBatchAsync(requests, results, Ct);

        Assert.Single(backend.Questions);
        Assert.Empty(backend.BatchSizes);
        Assert.Equal(0, engine.GetStatistics()["decider"]!.Requests);
        for (int i = 0; i < requests.Length; i++)
        {
            Assert.Equal(DecodeStatus.Done, results[i].Status);
            Assert.NotEqual("decider", results[i].Backend);
            Assert.True(requests[i].Destination.Span.SequenceEqual(payloads[i].Original));
        }
    }
}
