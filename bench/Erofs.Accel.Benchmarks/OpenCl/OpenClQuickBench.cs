using System.Diagnostics;
using Erofs.Accel.Decompression;
using Erofs.Accel.Decompression.OpenCl;

namespace Erofs.Accel.Benchmarks.OpenCl;

/// <summary>
/// Stopwatch harness (seconds, not minutes): OpenCL batch throughput against single-thread software for batch sizes
/// 64..8192, the device/host split, and the measured break-even batch size. Call <see cref="Run"/> from a command
/// line switch (for example "opencl-quick").
/// </summary>
public static class OpenClQuickBench
{
    public static readonly int[] BatchSizes = [64, 128, 256, 512, 1024, 2048, 4096, 8192];

    public static int Run(TextWriter output, int itemBytes = 16 << 10, int rounds = 7)
    {
        var started = Stopwatch.StartNew();
        using var backend = OpenClBackend.Create(new OpenClBackendOptions { Calibrate = true, TypicalItemBytes = itemBytes });
        output.WriteLine($"OpenCL: {backend.Availability} (start-up {started.ElapsedMilliseconds} ms, build {backend.ProgramBuildTime.TotalMilliseconds:0} ms, warm-up {backend.WarmUpTime.TotalMilliseconds:0} ms)");
        if (!backend.Availability.IsAvailable) return 1;
        foreach (var c in backend.Calibrations.Values) output.WriteLine("calibration " + c);
        // a second backend whose single slot holds a whole 8192-item batch: submission-to-callback time is then the
        // device's own time for the batch (transfers/maps + kernels), without host fill and collect
        using var oneSlot = OpenClBackend.Create(new OpenClBackendOptions
        {
            Calibrate = false, BatchesInFlight = 1, MaxItemsPerBatch = BatchSizes[^1],
            InputBytesPerBatch = BatchSizes[^1] * (itemBytes + itemBytes / 128 + 64), OutputBytesPerBatch = BatchSizes[^1] * itemBytes,
        });
        foreach (var (algorithm, high) in new[] { (CompressionAlgorithm.Lz4, true), (CompressionAlgorithm.Lz4, false), (CompressionAlgorithm.Deflate, false) })
        {
            var data = new OpenClBenchData(algorithm, itemBytes, BatchSizes[^1], high);
            output.WriteLine();
            output.WriteLine($"{algorithm}{(algorithm == CompressionAlgorithm.Lz4 ? high ? " (HC)" : " (fast)" : "")}, {itemBytes >> 10} KiB items, ratio {(double)data.CompressedBytes / data.DecodedBytes:0.000}");
            output.WriteLine("  batch | software 1T GB/s | opencl GB/s | ratio | device-only GB/s (one slot)");
            int breakEven = 0;
            foreach (int n in BatchSizes)
            {
                var requests = data.Requests.AsMemory(0, n);
                var results = data.Results.AsMemory(0, n);
                double bytes = (double)n * itemBytes;
                long warm = Stopwatch.GetTimestamp();
                while (Stopwatch.GetElapsedTime(warm) < TimeSpan.FromMilliseconds(300)) data.DecodeSoftware(Math.Min(n, 512));
                double sw = double.MaxValue;
                for (int r = 0; r < rounds; r++)
                {
                    long t0 = Stopwatch.GetTimestamp();
                    data.DecodeSoftware(n);
                    sw = Math.Min(sw, Stopwatch.GetElapsedTime(t0).TotalSeconds);
                }
                backend.DecodeBatchAsync(requests, results).AsTask().GetAwaiter().GetResult();
                double cl = double.MaxValue, device = double.MaxValue;
                for (int r = 0; r < rounds; r++)
                {
                    long t0 = Stopwatch.GetTimestamp();
                    backend.DecodeBatchAsync(requests, results).AsTask().GetAwaiter().GetResult();
                    cl = Math.Min(cl, Stopwatch.GetElapsedTime(t0).TotalSeconds);
                }
                if (oneSlot.Availability.IsAvailable)
                {
                    oneSlot.DecodeBatchAsync(requests, results).AsTask().GetAwaiter().GetResult();
                    for (int r = 0; r < rounds; r++)
                    {
                        var before = oneSlot.Statistics;
                        oneSlot.DecodeBatchAsync(requests, results).AsTask().GetAwaiter().GetResult();
                        device = Math.Min(device, (oneSlot.Statistics.Device - before.Device).TotalSeconds);
                    }
                }
                for (int i = 0; i < n; i++)
                    if (results.Span[i].Status != DecodeStatus.Done) throw new InvalidOperationException($"item {i}: {results.Span[i].Status}");
                if (breakEven == 0 && cl <= sw) breakEven = n;
                output.WriteLine($"  {n,5} | {bytes / sw / 1e9,16:0.00} | {bytes / cl / 1e9,11:0.00} | {sw / cl,5:0.00} | {bytes / device / 1e9,16:0.00}");
            }
            output.WriteLine($"  measured break-even batch: {(breakEven == 0 ? "none up to 8192" : breakEven.ToString())}");
        }
        return 0;
    }
}
