using System.Diagnostics;

namespace Erofs.Accel.Decompression.OpenCl;

/// <summary>
/// Start-up measurements of the device against this host's software decoder (see <see cref="OpenClCalibration"/>),
/// bounded in time. Fixed cost: the median of one-item batches, end to end. Device cost per byte: the slope between a
/// quarter batch and a full batch (all slots pipelined), end to end. Software: the decoder the engine would use
/// (liblz4 / libdeflate where installed), one thread, after the JIT settles.
/// </summary>
internal static class OpenClCalibrator
{
    private const int DistinctItems = 64;
    private const int FixedRuns = 7;
    private static readonly TimeSpan Budget = TimeSpan.FromMilliseconds(300);

    public static OpenClCalibration Measure(OpenClBackend backend, CompressionAlgorithm algorithm, int itemBytes, int softwareThreads)
    {
        itemBytes = Math.Clamp(itemBytes, 4096, backend.MaxItemOutputBytes);
        var packed = new byte[DistinctItems][];
        for (int i = 0; i < DistinctItems; i++)
            packed[i] = OpenClSampleData.Compress(algorithm, OpenClSampleData.Text(itemBytes, 1000 + i));
        var parameters = new DecodeParameters { Algorithm = algorithm, DecodedLength = itemBytes };
        // a full batch: every slot busy (at most 32 MiB decoded)
        int large = Math.Clamp(backend.BatchCapacityItems(itemBytes), 8, Math.Max(8, (32 << 20) / itemBytes));
        int quarter = Math.Max(2, large / 4);
        var requests = new DecompressionRequest[large];
        for (int i = 0; i < large; i++)
            requests[i] = new DecompressionRequest(packed[i % DistinctItems], new byte[itemBytes], parameters);
        var results = new DecompressionResult[large];

        // untimed round first: JIT tiers, first touch of the slot buffers
        TimeBatch(backend, requests, results);
        var single = new double[FixedRuns];
        for (int r = 0; r < FixedRuns; r++)
            single[r] = TimeBatch(backend, requests.AsMemory(0, 1), results);
        Array.Sort(single);
        double fixedNs = single[FixedRuns / 2];

        double quarterNs = Best(() => TimeBatch(backend, requests.AsMemory(0, quarter), results));
        double largeNs = Best(() => TimeBatch(backend, requests, results));
        double deviceNsPerByte = largeNs > quarterNs
            ? (largeNs - quarterNs) / ((double)(large - quarter) * itemBytes)
            : largeNs / ((double)large * itemBytes);

        double softwareNsPerByte = SoftwareNanosecondsPerByte(algorithm, packed, itemBytes);
        return new OpenClCalibration(algorithm, itemBytes, fixedNs / 1000, Math.Max(1e-4, deviceNsPerByte), softwareNsPerByte, softwareThreads);
    }

    /// <summary>
    /// The engine's software decoder on one thread. It keeps getting faster while the JIT promotes code to optimised
    /// tiers (~100 ms after the first calls), so rounds go on for the budget and the best counts.
    /// </summary>
    private static double SoftwareNanosecondsPerByte(CompressionAlgorithm algorithm, byte[][] packed, int itemBytes)
    {
        using var software = new SoftwareDecompressor();
        var parameters = new DecodeParameters { Algorithm = algorithm, DecodedLength = itemBytes };
        var scratch = new byte[itemBytes];
        double best = Best(() =>
        {
            long start = Stopwatch.GetTimestamp();
            foreach (var p in packed)
            {
                var r = software.Decompress(p, scratch, parameters);
                if (r.Status != DecodeStatus.Done) throw new InvalidOperationException($"software rejects a calibration item: {r.Status}");
            }
            return Stopwatch.GetElapsedTime(start).TotalNanoseconds;
        }, minimumRounds: 10);
        return best / ((double)packed.Length * itemBytes);
    }

    /// <summary>Smallest of at least <paramref name="minimumRounds"/> timings, repeated while the budget lasts (at most 40).</summary>
    private static double Best(Func<double> time, int minimumRounds = 2)
    {
        double best = double.MaxValue;
        long start = Stopwatch.GetTimestamp();
        for (int r = 0; r < minimumRounds || (r < 40 && Stopwatch.GetElapsedTime(start) < Budget); r++)
            best = Math.Min(best, time());
        return best;
    }

    private static double TimeBatch(OpenClBackend backend, ReadOnlyMemory<DecompressionRequest> batch, DecompressionResult[] results)
    {
        long start = Stopwatch.GetTimestamp();
        backend.DecodeBatchAsync(batch, results).AsTask().GetAwaiter().GetResult();
        double ns = Stopwatch.GetElapsedTime(start).TotalNanoseconds;
        for (int i = 0; i < batch.Length; i++)
            if (results[i].Status != DecodeStatus.Done)
                throw new InvalidOperationException($"calibration item {i} failed on the device: {results[i].Status}");
        return ns;
    }
}
