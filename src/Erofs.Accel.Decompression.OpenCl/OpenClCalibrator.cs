using System.Diagnostics;

namespace Erofs.Accel.Decompression.OpenCl;

/// <summary>
/// Start-up measurements of the device against single-thread software (see <see cref="OpenClCalibration"/>).
/// The device cost is a straight line through two batch sizes (small: one submission; large: several slots in
/// flight), so the per-byte figure is the marginal cost once batches pipeline and the fixed cost is its intercept.
/// </summary>
internal static class OpenClCalibrator
{
    private const int DistinctItems = 256;
    private const int SmallBatch = 256;
    private const int LargeBatch = 1024;
    private const int FixedRuns = 9;
    private static readonly TimeSpan Budget = TimeSpan.FromMilliseconds(400);

    public static OpenClCalibration Measure(OpenClBackend backend, CompressionAlgorithm algorithm, int itemBytes)
    {
        itemBytes = Math.Clamp(itemBytes, 4096, backend.MaxItemOutputBytes);
        var packed = new byte[DistinctItems][];
        for (int i = 0; i < DistinctItems; i++)
            packed[i] = OpenClSampleData.Compress(algorithm, OpenClSampleData.Text(itemBytes, 1000 + i));
        var parameters = new DecodeParameters { Algorithm = algorithm, DecodedLength = itemBytes };
        var requests = new DecompressionRequest[LargeBatch];
        for (int i = 0; i < LargeBatch; i++)
            requests[i] = new DecompressionRequest(packed[i % DistinctItems], new byte[itemBytes], parameters);
        var results = new DecompressionResult[LargeBatch];
        var scratch = new byte[itemBytes];

        // untimed rounds first: JIT tiers, first touch of the slot buffers
        TimeBatch(backend, requests, results);
        for (int r = 0; r < 2; r++)
            for (int i = 0; i < DistinctItems; i++) OpenClSampleData.SoftwareDecode(algorithm, packed[i], scratch);

        var single = new double[FixedRuns];
        for (int r = 0; r < FixedRuns; r++)
            single[r] = TimeBatch(backend, requests.AsMemory(0, 1), results);
        Array.Sort(single);
        double singleNs = single[FixedRuns / 2];

        double smallNs = Best(() => TimeBatch(backend, requests.AsMemory(0, SmallBatch), results));
        double largeNs = Best(() => TimeBatch(backend, requests, results));
        double deviceNsPerByte = Math.Max(1e-4, (largeNs - smallNs) / ((double)(LargeBatch - SmallBatch) * itemBytes));
        double fixedNs = Math.Max(singleNs, smallNs - deviceNsPerByte * SmallBatch * itemBytes);

        // Software keeps getting faster while the JIT promotes the decoder to optimised code (tiering waits ~100 ms
        // after the first calls), so time rounds for a while and keep the best.
        double softwareNs = Best(() =>
        {
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < DistinctItems; i++) OpenClSampleData.SoftwareDecode(algorithm, packed[i], scratch);
            return Stopwatch.GetElapsedTime(start).TotalNanoseconds;
        });
        double softwareNsPerByte = softwareNs / ((double)DistinctItems * itemBytes);
        return new OpenClCalibration(algorithm, fixedNs / 1000, deviceNsPerByte, softwareNsPerByte, itemBytes,
            OpenClCalibration.BreakEven(fixedNs, deviceNsPerByte, softwareNsPerByte, itemBytes));
    }

    /// <summary>Smallest of at least 3 timings, repeated while the budget lasts (at most 40).</summary>
    private static double Best(Func<double> time)
    {
        double best = double.MaxValue;
        long start = Stopwatch.GetTimestamp();
        for (int r = 0; r < 3 || (r < 40 && Stopwatch.GetElapsedTime(start) < Budget); r++)
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
