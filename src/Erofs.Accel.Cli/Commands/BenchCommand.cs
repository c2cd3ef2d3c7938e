using System.Diagnostics;
using System.Text.Json;
using Erofs.Accel.Core.Benchmarking;

namespace Erofs.Accel.Cli.Commands;

/// <summary>
/// <c>bench IMAGE</c>: decompression throughput through the library (no FUSE): every pcluster decoded once, then every
/// file read with a cold cache; MB/s of decoded data, per-backend requests and fallbacks, peak memory.
/// </summary>
public sealed class BenchCommand : ICommand
{
    public string Name => "bench";
    public string Usage => "bench IMAGE [--threads N] [--accel POLICY] [--device FILE]... [--json]";
    public string Summary => "measure decode and read throughput (MB/s), backend use, fallbacks and peak memory";

    public int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var cl = CommandLine.Parse(args, ImageArguments.ValueOptions.Append("--threads"), ImageArguments.FlagOptions.Append("--json"));
        cl.ExpectPositionals(1, 1, Usage);
        int threads = cl.LastInt("--threads", 1, 256) ?? 1;
        var bench = new ImageBenchmark { Threads = threads };
        PhaseResult decode, read;
        IReadOnlyList<string> backendLines;
        object backendStats;
        using (var session = ImageArguments.Open(cl.Positionals[0], cl))
        {
            decode = bench.DecodePclusters(session.Image, session.Engine);
            session.Image.DecodedCache.Clear();
            read = bench.ReadFiles(session.Image);
            var stats = session.Engine.GetStatistics();
            backendLines = stats.Format();
            backendStats = stats.Backends.Select(b => new
            {
                name = b.Name, role = b.Role.ToString().ToLowerInvariant(), requests = b.Requests, served = b.Served,
                fellBack = b.FallenBack, fallbacks = b.FallbacksByReason.ToDictionary(p => p.Key.ToString(), p => p.Value),
                bytesIn = b.BytesIn, bytesOut = b.BytesOut,
            }).ToList();
        }
        using var self = Process.GetCurrentProcess();
        long peak = self.PeakWorkingSet64;
        if (cl.Has("--json"))
        {
            var doc = new
            {
                image = cl.Positionals[0], threads, policy = ImageArguments.Policy(cl).ToString(),
                phases = new[] { decode, read }.Select(p => new
                {
                    name = p.Name, items = p.Items, decodedBytes = p.DecodedBytes, compressedBytes = p.CompressedBytes,
                    seconds = Math.Round(p.Seconds, 6), megabytesPerSecond = Math.Round(p.MegabytesPerSecond, 1),
                }),
                backends = backendStats,
                peakWorkingSetBytes = peak,
                gcAllocatedBytes = GC.GetTotalAllocatedBytes(),
            };
            stdout.WriteLine(JsonSerializer.Serialize(doc, new JsonSerializerOptions { WriteIndented = true }));
            return CliApp.ExitOk;
        }
        stdout.WriteLine($"image {cl.Positionals[0]}, {threads} thread(s), policy {ImageArguments.Policy(cl)}");
        stdout.WriteLine($"  decode every pcluster: {decode.Items} pclusters, {decode.CompressedBytes / 1e6:F1} MB -> {decode.DecodedBytes / 1e6:F1} MB in {decode.Seconds:F3} s = {decode.MegabytesPerSecond:F0} MB/s");
        stdout.WriteLine($"  read every file:       {read.Items} files, {read.DecodedBytes / 1e6:F1} MB in {read.Seconds:F3} s = {read.MegabytesPerSecond:F0} MB/s");
        stdout.WriteLine("  backends:");
        foreach (var line in backendLines) stdout.WriteLine("    " + line);
        stdout.WriteLine($"  peak memory: {peak / 1e6:F0} MB (working set)");
        return CliApp.ExitOk;
    }
}
