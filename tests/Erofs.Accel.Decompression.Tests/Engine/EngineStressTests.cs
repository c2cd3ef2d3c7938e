using Erofs.Accel.Decompression.Engine;
using Erofs.Accel.Decompression.Tests.Engine.Support;

namespace Erofs.Accel.Decompression.Tests.Engine;

/// <summary>
/// Many producers, mixed algorithms, skips, partial decodes, batches and cancellation against an accelerator with mild
/// faults and a batch backend: every completed result must equal what the software decoder produces.
/// </summary>
public sealed class EngineStressTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ManyProducersMixedAlgorithmsAndCancellation()
    {
        var payloads = Payloads.Mixed(60, seed: 2024);
        using var faulty = new FaultyBackend("faulty", seed: 99,
            (Fault.Fail, 0.02), (Fault.Short, 0.02), (Fault.ClaimCorrupt, 0.02), (Fault.GarbageLength, 0.02), (Fault.Hang, 0.01))
        {
            MaxHang = TimeSpan.FromMilliseconds(400),
            MaxWindowBits = 12,
        };
        using var batcher = new TestBatchBackend("batcher", minimumBatchSize: 6) { FailItems = (7, DecodeStatus.BackendFailure) };
        var options = EngineFactory.Options("faulty,batcher", "faulty", "batcher") with
        {
            WorkersPerAccelerator = 3,
            QueueCapacity = 16,
            AcceleratorTimeout = TimeSpan.FromMilliseconds(250),
            Breaker = new CircuitBreakerOptions { FailureThreshold = 1000 },
        };
        await using var engine = EngineFactory.Create(options, faulty, batcher);
        using var reference = new SoftwareDecompressor();

        int checkedResults = 0, cancelledResults = 0;
        async Task Producer(int id)
        {
            var random = new Random(id * 7 + 1);
            for (int round = 0; round < 40; round++)
            {
                int n = random.Next(1, 12);
                var requests = new DecompressionRequest[n];
                for (int k = 0; k < n; k++)
                {
                    var payload = payloads[random.Next(payloads.Count)];
                    int length = payload.Original.Length;
                    bool partial = payload.Algorithm != CompressionAlgorithm.Zstd && length > 2 && random.Next(4) == 0;
                    int decoded = partial ? random.Next(1, length) : length;
                    int skip = random.Next(3) == 0 ? random.Next(decoded) : 0;
                    var parameters = payload.Parameters(skip, decoded, partial);
                    requests[k] = new DecompressionRequest(payload.Compressed, new byte[parameters.OutputLength], parameters);
                }

                using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
                bool cancellable = random.Next(8) == 0;
                if (cancellable) cts.CancelAfter(random.Next(0, 3));
                var token = cancellable ? cts.Token : Ct;

                var results = new DecompressionResult[n];
                if (n > 1 && random.Next(2) == 0)
                {
                    await engine.DecompressBatchAsync(requests, results, token);
                }
                else
                {
                    for (int k = 0; k < n; k++) results[k] = await engine.DecompressAsync(requests[k], token);
                }

                for (int k = 0; k < n; k++)
                {
                    var r = requests[k];
                    if (results[k].Status == DecodeStatus.Cancelled)
                    {
                        Assert.True(cancellable, "cancelled without a cancelled token");
                        Interlocked.Increment(ref cancelledResults);
                        continue;
                    }
                    Assert.Equal(DecodeStatus.Done, results[k].Status);
                    Assert.Equal(r.Parameters.OutputLength, results[k].BytesWritten);
                    var expected = new byte[r.Parameters.OutputLength];
                    Assert.Equal(DecodeStatus.Done, reference.Decompress(r.Source.Span, expected, r.Parameters).Status);
                    Assert.True(expected.AsSpan().SequenceEqual(r.Destination.Span), $"wrong bytes from {results[k].Backend}");
                    Interlocked.Increment(ref checkedResults);
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, 8).Select(id => Task.Run(() => Producer(id), Ct))).WaitAsync(TimeSpan.FromMinutes(5), Ct);
        await EngineFactory.WaitForBuffersAsync(engine);

        var stats = engine.GetStatistics();
        Assert.True(checkedResults > 500, $"only {checkedResults} results checked");
        Assert.True(stats["faulty"]!.Served > 0, stats["faulty"]!.ToString());
        Assert.True(stats["faulty"]!.FallenBack > 0, stats["faulty"]!.ToString());
        Assert.True(stats["batcher"]!.Served > 0, stats["batcher"]!.ToString());
        Assert.Equal(0, stats.InFlight);
        Assert.Equal(0, stats.BuffersOutstanding);
        EngineFactory.AssertBalanced(stats);
        TestContext.Current.SendDiagnosticMessage($"checked {checkedResults}, cancelled {cancelledResults}: {string.Join(" | ", stats.Format())}");
    }
}
