using System.Diagnostics;
using System.Text.Json;
using Erofs.Accel.Core.Benchmarking;
using Erofs.Accel.Decompression.OpenCl;

namespace Erofs.Accel.Cli.Commands;

/// <summary>
/// <c>bench IMAGE</c>: decompression throughput through the library (no FUSE): every pcluster decoded once, then every
/// file read with a cold cache; MB/s of decoded data, per-backend requests and fallbacks, peak memory. With OpenCL in
/// the policy it also prints the device's calibration and where its time went per submission (stages), and reads
/// files in 16 MiB calls by default so that whole files reach the device as batches.
/// </summary>
internal sealed class BenchCommand : ICommand
{
    public string Name => "bench";
    public string Usage => "bench IMAGE [--threads N] [--read-mb N] [--accel POLICY] [--device FILE]... [--json]";
    public string Summary => "measure decode and read throughput (MB/s), backend use, fallbacks, OpenCL stages and peak memory";

    public int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var cl = CommandLine.Parse(args, ImageArguments.ValueOptions.Append("--threads").Append("--read-mb"), ImageArguments.FlagOptions.Append("--json"));
        cl.ExpectPositionals(1, 1, Usage);
        int threads = cl.LastInt("--threads", 1, 256) ?? 1;
        bool opencl = ImageArguments.Policy(cl).Allows(OpenClBackend.BackendName);
        int readMb = cl.LastInt("--read-mb", 1, 1024) ?? (opencl ? 16 : 1);
        var bench = new ImageBenchmark { Threads = threads, ReadBufferBytes = readMb << 20 };
        // the engine creates the OpenCL backend through the catalog: for the run, a factory that profiles its stages
        OpenClBackend? device = null;
        if (opencl) OpenClRegistration.Register(() => OpenClBackendOptions.FromEnvironment() with { ProfileStages = true }, b => device = b);
        Measured m;
        try
        {
            m = Measure(cl, bench, threads, () => device);
        }
        finally
        {
            if (opencl) OpenClRegistration.Register();
        }
        using var self = Process.GetCurrentProcess();
        long peak = self.PeakWorkingSet64;
        if (cl.Has("--json"))
        {
            var doc = new
            {
                image = cl.Positionals[0], threads, readMegabytes = readMb, policy = ImageArguments.Policy(cl).ToString(),
                phases = new[] { m.Decode, m.Read }.Select(p => new
                {
                    name = p.Name, items = p.Items, decodedBytes = p.DecodedBytes, compressedBytes = p.CompressedBytes,
                    seconds = Math.Round(p.Seconds, 6), megabytesPerSecond = Math.Round(p.MegabytesPerSecond, 1),
                }),
                backends = m.BackendStats,
                opencl = m.OpenCl,
                peakWorkingSetBytes = peak,
                gcAllocatedBytes = GC.GetTotalAllocatedBytes(),
            };
            stdout.WriteLine(JsonSerializer.Serialize(doc, new JsonSerializerOptions { WriteIndented = true }));
            return CliApp.ExitOk;
        }
        stdout.WriteLine($"image {cl.Positionals[0]}, {threads} thread(s), reads of {readMb} MiB, policy {ImageArguments.Policy(cl)}");
        stdout.WriteLine($"  decode every pcluster: {m.Decode.Items} pclusters, {m.Decode.CompressedBytes / 1e6:F1} MB -> {m.Decode.DecodedBytes / 1e6:F1} MB in {m.Decode.Seconds:F3} s = {m.Decode.MegabytesPerSecond:F0} MB/s");
        stdout.WriteLine($"  read every file:       {m.Read.Items} files, {m.Read.DecodedBytes / 1e6:F1} MB in {m.Read.Seconds:F3} s = {m.Read.MegabytesPerSecond:F0} MB/s");
        stdout.WriteLine("  backends:");
        foreach (var line in m.BackendLines) stdout.WriteLine("    " + line);
        foreach (var line in m.OpenClLines) stdout.WriteLine("  " + line);
        stdout.WriteLine($"  peak memory: {peak / 1e6:F0} MB (working set)");
        return CliApp.ExitOk;
    }

    private sealed record Measured(PhaseResult Decode, PhaseResult Read, IReadOnlyList<string> BackendLines, object BackendStats,
        IReadOnlyList<string> OpenClLines, object? OpenCl);

    private static Measured Measure(CommandLine cl, ImageBenchmark bench, int threads, Func<OpenClBackend?> device)
    {
        // each reader thread's batches get their share of the cores in software (and the OpenCL decision knows it)
        using var session = ImageArguments.Open(cl.Positionals[0], cl, concurrentReaders: threads);
        var decode = bench.DecodePclusters(session.Image, session.Engine);
        session.Image.DecodedCache.Clear();
        var read = bench.ReadFiles(session.Image);
        var stats = session.Engine.GetStatistics();
        var backendStats = stats.Backends.Select(b => new
        {
            name = b.Name, role = b.Role.ToString().ToLowerInvariant(), requests = b.Requests, served = b.Served,
            fellBack = b.FallenBack, fallbacks = b.FallbacksByReason.ToDictionary(p => p.Key.ToString(), p => p.Value),
            bytesIn = b.BytesIn, bytesOut = b.BytesOut,
        }).ToList();
        var d = device();
        return new Measured(decode, read, stats.Format(), backendStats, d is null ? [] : OpenClLines(d), d is null ? null : OpenClJson(d));
    }

    /// <summary>The device, its calibration per algorithm and its stage times per submission.</summary>
    private static List<string> OpenClLines(OpenClBackend device)
    {
        var lines = new List<string> { $"opencl device: {device.Availability}" };
        lines.Add($"opencl stages: {device.Statistics}");
        return lines;
    }

    private static object OpenClJson(OpenClBackend device)
    {
        var s = device.Statistics;
        return new
        {
            device = device.Device?.DeviceName,
            available = device.Availability.IsAvailable,
            detail = device.Availability.Detail,
            calibrations = device.Calibrations.Values.Select(c => new
            {
                algorithm = c.Algorithm.ToString().ToLowerInvariant(), itemBytes = c.ItemBytes,
                fixedCostMicroseconds = Math.Round(c.FixedCostMicroseconds, 1),
                deviceGigabytesPerSecond = Math.Round(c.OpenClGigabytesPerSecond, 3),
                softwareGigabytesPerSecondPerThread = Math.Round(c.SoftwareGigabytesPerSecond, 3),
                softwareThreads = c.SoftwareThreads, breakEvenItems = c.BreakEvenBatchSize(c.SoftwareThreads), cached = c.FromCache,
            }),
            stages = new
            {
                submissions = s.Submissions, items = s.Items, decodedBytes = s.DecodedBytes, compressedBytes = s.CompressedBytes,
                hostFillMicroseconds = Math.Round(s.HostFill.TotalMicroseconds), enqueueMicroseconds = Math.Round(s.Enqueue.TotalMicroseconds),
                deviceMicroseconds = Math.Round(s.Device.TotalMicroseconds), hostCollectMicroseconds = Math.Round(s.HostCollect.TotalMicroseconds),
                profiledSubmissions = s.ProfiledSubmissions, launchMicroseconds = Math.Round(s.Launch.TotalMicroseconds),
                uploadMicroseconds = Math.Round(s.Upload.TotalMicroseconds), kernelMicroseconds = Math.Round(s.Kernels.TotalMicroseconds),
                downloadMicroseconds = Math.Round(s.Download.TotalMicroseconds),
            },
        };
    }
}
