using System.Diagnostics;

namespace Erofs.Accel.Benchmarks.ReadPath;

/// <summary>
/// Stopwatch harness for the read path (seconds, not minutes): ns and bytes allocated per read for the cases of
/// <see cref="ReadPathBenchmarks"/>, best of several rounds. Command line: <c>read-quick [IMAGE [CASE]]</c>, CASE being
/// "cached", "uncached" or "sequential" to run one case only (for a profiler).
/// </summary>
public static class ReadPathQuickBench
{
    public static int Run(TextWriter output, string? image, string? only = null, int rounds = 0)
    {
        // EROFS_BENCH_ROUNDS: rounds per case (default 7); run twice with different counts under `perf stat` to get
        // instructions per read, which a busy machine does not disturb
        if (rounds <= 0) rounds = int.TryParse(Environment.GetEnvironmentVariable("EROFS_BENCH_ROUNDS"), out int r) && r > 0 ? r : 7;
        image ??= ReadPathWorkload.DefaultImagePath();
        using var warm = new ReadPathWorkload(image, decodedCacheBytes: 1L << 30);
        using var cold = new ReadPathWorkload(image, decodedCacheBytes: 1L << 20);
        using var sequential = new ReadPathWorkload(image, decodedCacheBytes: 128L << 20);
        output.WriteLine($"{image}: largest file nid {warm.File.Nid}, {warm.File.Size} bytes");
        warm.ReadWholeFile();
        if (only is null or "cached") Measure(output, "random 4 KiB, cached", warm.RandomRead, 200_000, rounds);
        if (only is null or "uncached") Measure(output, "random 4 KiB, uncached", cold.RandomRead, 20_000, rounds);
        if (only is null or "sequential") Measure(output, "sequential 128 KiB", sequential.SequentialRead, 2_000, rounds);
        return 0;
    }

    private static void Measure(TextWriter output, string name, Func<int> read, int count, int rounds)
    {
        for (int i = 0; i < Math.Min(count, 1000); i++) read();
        double best = double.MaxValue, bestCpu = double.MaxValue;
        long bestAllocated = long.MaxValue;
        using var process = Process.GetCurrentProcess();
        for (int r = 0; r < rounds; r++)
        {
            long allocated = GC.GetAllocatedBytesForCurrentThread();
            process.Refresh();
            var cpu = process.TotalProcessorTime;
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < count; i++) read();
            double ns = Stopwatch.GetElapsedTime(start).TotalNanoseconds / count;
            process.Refresh();
            best = Math.Min(best, ns);
            bestCpu = Math.Min(bestCpu, (process.TotalProcessorTime - cpu).TotalNanoseconds / count);
            bestAllocated = Math.Min(bestAllocated, (GC.GetAllocatedBytesForCurrentThread() - allocated) / count);
        }
        // CPU time (all threads of the process) is steadier than wall time on a busy machine
        output.WriteLine($"{name,-24} {best,10:0} ns/read (wall) {bestCpu,10:0} ns/read (cpu) {bestAllocated,8} B allocated/read");
    }
}
