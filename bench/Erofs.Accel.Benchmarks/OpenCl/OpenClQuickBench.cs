using System.Diagnostics;
using Erofs.Accel.Decompression;
using Erofs.Accel.Decompression.OpenCl;

namespace Erofs.Accel.Benchmarks.OpenCl;

/// <summary>
/// Stopwatch harness (seconds, not minutes) for the OpenCL batch backend: the start-up calibration, the fixed cost of
/// a submission, then per algorithm and batch size the engine's software decoder (one thread and every core)
/// against OpenCL end to end, with the time of each stage per submission (host fill, enqueue, device, collect; and
/// from profiling events launch, upload, kernels, download). Ends with the issue-20 targets. Call <see cref="Run"/>
/// from a command line switch ("opencl-quick"; "opencl-quick --short" runs fewer sizes).
/// </summary>
public static class OpenClQuickBench
{
    public static readonly int[] BatchSizes = [1, 16, 64, 256, 1024, 4096, 8192];
    public static readonly int[] ShortBatchSizes = [1, 64, 1024, 8192];

    private static readonly TimeSpan PointBudget = TimeSpan.FromMilliseconds(250);

    public static int Run(TextWriter output, bool shortRun = false, int itemBytes = 16 << 10)
    {
        var sizes = shortRun ? ShortBatchSizes : BatchSizes;
        int cores = Environment.ProcessorCount;
        var started = Stopwatch.StartNew();
        using var backend = OpenClBackend.Create(new OpenClBackendOptions
        {
            Calibrate = true, TypicalItemBytes = itemBytes, ProfileStages = true, UseCalibrationCache = false,
        });
        output.WriteLine($"host: {cores} cores; OpenCL: {backend.Availability}");
        if (!backend.Availability.IsAvailable) return 1;
        output.WriteLine($"start-up {started.ElapsedMilliseconds} ms (program {backend.ProgramOrigin} in {backend.ProgramBuildTime.TotalMilliseconds:0} ms, " +
                         $"warm-up {backend.WarmUpTime.TotalMilliseconds:0} ms, calibration {backend.CalibrationTime.TotalMilliseconds:0} ms)");
        foreach (var c in backend.Calibrations.Values) output.WriteLine("calibration " + c);

        var targets = new List<string>();
        double fixedUs = FixedCost(backend, output, itemBytes);
        SlotSizeIndependence(output, itemBytes);
        targets.Add($"fixed cost per batch (one {itemBytes >> 10} KiB LZ4 item, median): {fixedUs / 1000:0.000} ms (target <= 0.3 ms)");

        foreach (var (algorithm, high) in new[] { (CompressionAlgorithm.Lz4, true), (CompressionAlgorithm.Lz4, false), (CompressionAlgorithm.Deflate, false) })
        {
            var data = new OpenClBenchData(algorithm, itemBytes, sizes[^1], high);
            string name = algorithm == CompressionAlgorithm.Lz4 ? high ? "LZ4 HC" : "LZ4 fast" : "DEFLATE";
            output.WriteLine();
            output.WriteLine($"{name}, {itemBytes >> 10} KiB items, ratio {(double)data.CompressedBytes / data.DecodedBytes:0.000}; GB/s of decoded bytes, " +
                             "stages in us per submission");
            output.WriteLine($"  batch | sw 1T | sw {cores}T | opencl | vs {cores}T | subm | fill | enqueue | device | collect | launch | upload | kernels | download | kernel GB/s");
            foreach (int n in sizes)
            {
                var requests = data.Requests.AsMemory(0, n);
                var results = data.Results.AsMemory(0, n);
                double bytes = (double)n * itemBytes;
                double sw1 = Best(() => data.DecodeSoftware(n));
                double swAll = Best(() => data.DecodeSoftwareParallel(n, cores));
                backend.DecodeBatchAsync(requests, results).AsTask().GetAwaiter().GetResult();
                var before = backend.Statistics;
                int runs = 0;
                double cl = Best(() =>
                {
                    runs++;
                    backend.DecodeBatchAsync(requests, results).AsTask().GetAwaiter().GetResult();
                    return 0;
                });
                var st = backend.Statistics.Since(before);
                for (int i = 0; i < n; i++)
                    if (results.Span[i].Status != DecodeStatus.Done) throw new InvalidOperationException($"{name} item {i}: {results.Span[i].Status}");
                double perSubmission = Math.Max(1, st.Submissions);
                double kernelGbps = st.Kernels > TimeSpan.Zero ? bytes * runs / st.Kernels.TotalNanoseconds : double.NaN;
                output.WriteLine($"  {n,5} | {bytes / sw1,5:0.00} | {bytes / swAll,6:0.00} | {bytes / cl,6:0.00} | {swAll / cl,5:0.00}x | " +
                                 $"{st.Submissions / (double)runs,4:0.0} | {Us(st.HostFill, perSubmission),4} | {Us(st.Enqueue, perSubmission),7} | " +
                                 $"{Us(st.Device, perSubmission),6} | {Us(st.HostCollect, perSubmission),7} | {Us(st.Launch, perSubmission),6} | " +
                                 $"{Us(st.Upload, perSubmission),6} | {Us(st.Kernels, perSubmission),7} | {Us(st.Download, perSubmission),8} | {kernelGbps,11:0.00}");
                if (n == 1024 && !(algorithm == CompressionAlgorithm.Lz4 && !high))
                    targets.Add($"{name} 1024 x {itemBytes >> 10} KiB end to end: {bytes / cl:0.00} GB/s " +
                                $"(target >= {(algorithm == CompressionAlgorithm.Lz4 ? 10 : 5)} GB/s; software on {cores} threads {bytes / swAll:0.00} GB/s)");
            }
        }
        output.WriteLine();
        output.WriteLine("issue 20 targets (GPU):");
        foreach (var t in targets) output.WriteLine("  " + t);
        return 0;
    }

    /// <summary>Median end-to-end time of one-item batches: a 16 KiB item, and a 64-byte one (the cost without the kernel's work).</summary>
    private static double FixedCost(OpenClBackend backend, TextWriter output, int itemBytes)
    {
        var one = new OpenClBenchData(CompressionAlgorithm.Lz4, itemBytes, 1, lz4High: true);
        // a 64-byte LZ4 block of literals only: token 15 + extension 49, then the bytes
        var tinySource = new byte[2 + TinyLength];
        tinySource[0] = 0xF0;
        tinySource[1] = TinyLength - 15;
        for (int i = 2; i < tinySource.Length; i++) tinySource[i] = (byte)i;
        var tiny = new DecompressionRequest(tinySource, new byte[TinyLength],
            new DecodeParameters { Algorithm = CompressionAlgorithm.Lz4, DecodedLength = TinyLength });
        double item = Median(backend, one.Requests, one.Results);
        double small = Median(backend, [tiny], new DecompressionResult[1]);
        var before = backend.Statistics;
        for (int i = 0; i < 20; i++) backend.DecodeBatchAsync(one.Requests, one.Results).AsTask().GetAwaiter().GetResult();
        var st = backend.Statistics.Since(before);
        output.WriteLine($"fixed cost: one {itemBytes >> 10} KiB item {item / 1000:0.0} us, one {TinyLength}-byte item {small / 1000:0.0} us end to end (median of 41); " +
                         $"stages of the {itemBytes >> 10} KiB item: {st}");
        return item / 1000;
    }

    private const int TinyLength = 64;

    /// <summary>
    /// A one-item batch through one slot of 4 MiB and one of 256 MiB: what a batch costs must not grow with the
    /// staging buffers (whole-buffer maps or copies would show here).
    /// </summary>
    private static void SlotSizeIndependence(TextWriter output, int itemBytes)
    {
        var one = new OpenClBenchData(CompressionAlgorithm.Lz4, itemBytes, 1, lz4High: true);
        var line = "fixed cost by slot size (one item, one slot):";
        foreach (int mib in new[] { 4, 256 })
        {
            using var b = OpenClBackend.Create(new OpenClBackendOptions
            {
                Calibrate = false, BatchesInFlight = 1, InputBytesPerBatch = mib << 20, OutputBytesPerBatch = mib << 20,
            });
            if (!b.Availability.IsAvailable)
            {
                line += $" {mib} MiB unavailable ({b.Availability.Detail});";
                continue;
            }
            line += $" {mib} MiB {Median(b, one.Requests, one.Results) / 1000:0.0} us;";
        }
        output.WriteLine(line.TrimEnd(';'));
    }

    private static double Median(OpenClBackend backend, DecompressionRequest[] requests, DecompressionResult[] results)
    {
        var t = new double[41];
        for (int i = 0; i < t.Length; i++)
        {
            long start = Stopwatch.GetTimestamp();
            backend.DecodeBatchAsync(requests, results).AsTask().GetAwaiter().GetResult();
            t[i] = Stopwatch.GetElapsedTime(start).TotalNanoseconds;
            if (results[0].Status != DecodeStatus.Done) throw new InvalidOperationException($"fixed-cost item: {results[0].Status}");
        }
        Array.Sort(t);
        return t[t.Length / 2];
    }

    /// <summary>Best wall time (ns) of at least 3 runs, more while the budget lasts (at most 50).</summary>
    private static double Best(Func<long> run)
    {
        double best = double.MaxValue;
        long start = Stopwatch.GetTimestamp();
        for (int r = 0; r < 3 || (r < 50 && Stopwatch.GetElapsedTime(start) < PointBudget); r++)
        {
            long t0 = Stopwatch.GetTimestamp();
            run();
            best = Math.Min(best, Stopwatch.GetElapsedTime(t0).TotalNanoseconds);
        }
        return best;
    }

    private static string Us(TimeSpan total, double count) => (total.TotalMicroseconds / count).ToString("0");
}
