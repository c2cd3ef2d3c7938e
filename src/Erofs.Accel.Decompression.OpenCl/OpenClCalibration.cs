namespace Erofs.Accel.Decompression.OpenCl;

/// <summary>
/// What calibration measured for one algorithm on one device and host: the fixed cost of a submission (one item of
/// <see cref="ItemBytes"/> end to end: enqueue, transfers, the kernel's latency for one item, completion, collect),
/// the marginal end-to-end cost per decoded byte of large batches through the device, and the cost per byte of
/// the software decoder the engine would use, on one host thread. The cost model: a submission of b decoded bytes
/// takes fixed + b·device on OpenCL and b·software / min(threads, items) on the host.
/// </summary>
public sealed record OpenClCalibration(
    CompressionAlgorithm Algorithm,
    int ItemBytes,
    double FixedCostMicroseconds,
    double OpenClNanosecondsPerByte,
    double SoftwareNanosecondsPerByte,
    int SoftwareThreads,
    bool FromCache = false)
{
    /// <summary>Device throughput of large batches, end to end (decoded GB/s).</summary>
    public double OpenClGigabytesPerSecond => OpenClNanosecondsPerByte > 0 ? 1 / OpenClNanosecondsPerByte : double.PositiveInfinity;

    /// <summary>Software throughput on one host thread (decoded GB/s).</summary>
    public double SoftwareGigabytesPerSecond => SoftwareNanosecondsPerByte > 0 ? 1 / SoftwareNanosecondsPerByte : double.PositiveInfinity;

    /// <summary>Predicted time of one submission on the device.</summary>
    public double OpenClNanoseconds(long decodedBytes) => FixedCostMicroseconds * 1000 + decodedBytes * OpenClNanosecondsPerByte;

    /// <summary>Predicted time of the same items in software, spread over at most <paramref name="threads"/> threads.</summary>
    public double SoftwareNanoseconds(int items, long decodedBytes, int threads) =>
        decodedBytes * SoftwareNanosecondsPerByte / Math.Max(1, Math.Min(threads, items));

    /// <summary>True when the device finishes the submission sooner than software on <paramref name="threads"/> threads.</summary>
    public bool IsWorthSending(int items, long decodedBytes, int threads) =>
        items >= 2 && OpenClNanoseconds(decodedBytes) < SoftwareNanoseconds(items, decodedBytes, threads);

    /// <summary>
    /// Smallest number of <see cref="ItemBytes"/> items worth sending against <paramref name="threads"/> software
    /// threads; int.MaxValue when the device never catches up. Never below 2: single reads stay on software.
    /// </summary>
    public int BreakEvenBatchSize(int threads)
    {
        threads = Math.Max(1, threads);
        for (int n = 2; n <= threads; n++)
            if (IsWorthSending(n, (long)n * ItemBytes, threads)) return n;
        // from here on software runs on every thread: fixed + n·b·device < n·b·software / threads
        double gainPerItem = ItemBytes * (SoftwareNanosecondsPerByte / threads - OpenClNanosecondsPerByte);
        if (gainPerItem <= 0) return int.MaxValue;
        double n2 = Math.Floor(FixedCostMicroseconds * 1000 / gainPerItem) + 1;
        return n2 >= int.MaxValue ? int.MaxValue : Math.Max(threads + 1, (int)n2);
    }

    /// <summary>The measured costs and the batch size from which the device pays off, in one line.</summary>
    public override string ToString()
    {
        int n = BreakEvenBatchSize(SoftwareThreads);
        string worth = n == int.MaxValue
            ? $"software on {SoftwareThreads} thread(s) is always faster"
            : $"worth it from {n} items of {ItemBytes >> 10} KiB ({(double)n * ItemBytes / 1e6:0.0} MB) against {SoftwareThreads} software thread(s)";
        return $"{Algorithm.ToString().ToLowerInvariant()}: fixed {FixedCostMicroseconds:0} us per batch, device {OpenClGigabytesPerSecond:0.00} GB/s, " +
               $"software {SoftwareGigabytesPerSecond:0.00} GB/s per thread; {worth}{(FromCache ? " (cached)" : "")}";
    }
}
