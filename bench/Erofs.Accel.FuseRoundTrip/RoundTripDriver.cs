using System.Diagnostics;
using System.Globalization;
using System.Text;
using Erofs.Accel.Interop;
using Microsoft.Win32.SafeHandles;

namespace Erofs.Accel.FuseRoundTrip;

/// <summary>One trial's outcome.</summary>
internal sealed record TrialResult(
    string Config, int Readers, int BlockSize, long Reads, long WarmUpReads, double Seconds, double ServerCpuSeconds, double ReaderCpuSeconds, long ServedRequests)
{
    public double ReadsPerSecond => Reads / Seconds;

    public double MegabytesPerSecond => ReadsPerSecond * BlockSize / 1e6;

    public double ServerMicrosecondsPerRead => ServerCpuSeconds * 1e6 / Math.Max(Reads, 1);

    public double ReaderMicrosecondsPerRead => ReaderCpuSeconds * 1e6 / Math.Max(Reads, 1);

    /// <summary>FUSE requests the server answered per read (the lookup and the like included; 1 for 4 KiB reads).</summary>
    public double RequestsPerRead => ServedRequests < 0 ? double.NaN : (double)ServedRequests / Math.Max(Reads + WarmUpReads, 1);
}

/// <summary>Runs the trials, interleaved round after round, and reports medians.</summary>
internal sealed class RoundTripDriver(DriverOptions options)
{
    private static readonly TimeSpan WarmUp = TimeSpan.FromMilliseconds(300);

    public int Run()
    {
        Console.Error.WriteLine($"FUSE round trip: {options.BlockSize}-byte O_DIRECT reads at random offsets of a {options.FileMegabytes} MiB in-memory file, " +
            $"{options.Seconds} s per trial, {options.Rounds} rounds; {Environment.ProcessorCount} CPUs, load average {LoadAverage()}");
        var results = new List<TrialResult>();
        for (var round = 1; round <= options.Rounds; round++)
        {
            foreach (var config in options.Configs)
            {
                foreach (var readers in options.Readers)
                {
                    var result = RunTrial(ServerConfig.Parse(config), readers);
                    results.Add(result);
                    Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"round {round} {config,-24} {readers} readers: {result.ReadsPerSecond,9:F0} reads/s, server {result.ServerMicrosecondsPerRead,7:F2} us/read, readers {result.ReaderMicrosecondsPerRead,7:F2} us/read ({result.ServedRequests} served)"));
                }
            }
        }
        var report = Report(results);
        Console.Out.Write(report);
        if (options.MarkdownPath is not null) File.WriteAllText(options.MarkdownPath, report);
        return 0;
    }

    private string Report(List<TrialResult> results)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"load average at the end: {LoadAverage()}");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"{options.BlockSize}-byte reads{(options.Segments ? ", served as zero-copy segments" : "")}; medians of {options.Rounds} interleaved rounds of {options.Seconds} s");
        text.AppendLine();
        text.AppendLine("| transport | readers | reads/s (median) | min - max | MB/s | FUSE requests/read | server CPU us/read | reader CPU us/read | total CPU us/read |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var group in results.GroupBy(r => (r.Config, r.Readers)))
        {
            var rates = group.Select(r => r.ReadsPerSecond).Order().ToList();
            var megabytes = Median(group.Select(r => r.MegabytesPerSecond));
            var requests = Median(group.Select(r => r.RequestsPerRead));
            var server = Median(group.Select(r => r.ServerMicrosecondsPerRead));
            var reader = Median(group.Select(r => r.ReaderMicrosecondsPerRead));
            var total = Median(group.Select(r => r.ServerMicrosecondsPerRead + r.ReaderMicrosecondsPerRead));
            text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {group.Key.Config} | {group.Key.Readers} | {Median(rates):F0} | {rates[0]:F0} - {rates[^1]:F0} | {megabytes:F0} | {requests:F2} | {server:F2} | {reader:F2} | {total:F2} |"));
        }
        return text.ToString();
    }

    private TrialResult RunTrial(ServerConfig config, int readerCount)
    {
        var mountPoint = Directory.CreateTempSubdirectory("fuse-round-trip-").FullName;
        using var server = StartServer(mountPoint, config);
        try
        {
            var ready = server.StandardOutput.ReadLine() ?? throw new InvalidOperationException("the server exited: " + server.StandardError.ReadToEnd());
            var expected = config.Transport.ToString();
            if (!ready.StartsWith($"READY {expected}", StringComparison.Ordinal))
                throw new InvalidOperationException($"{config.Name}: the server is not serving over {expected}: {ready}");

            var path = Path.Combine(mountPoint, InMemoryFileSystem.FileName);
            var blocks = ((long)options.FileMegabytes << 20) / options.BlockSize;
            using var start = new Barrier(readerCount + 1);
            using var stop = new Barrier(readerCount + 1);
            var deadline = 0L;
            var reads = new long[readerCount];
            var warmUpReads = new long[readerCount];
            var cpu = new double[readerCount];
            var threads = Enumerable.Range(0, readerCount).Select(index => new Thread(() =>
            {
                using var handle = OpenDirect(path);
                var buffer = GC.AllocateUninitializedArray<byte>(options.BlockSize + 4096, pinned: true);
                var aligned = AlignedSlice(buffer, options.BlockSize);
                var random = new Random(index * 7919 + 1);
                var warmUntil = Stopwatch.GetTimestamp() + (long)(WarmUp.TotalSeconds * Stopwatch.Frequency);
                while (Stopwatch.GetTimestamp() < warmUntil)
                {
                    RandomAccess.Read(handle, aligned.Span, random.NextInt64(blocks) * options.BlockSize);
                    warmUpReads[index]++;
                }
                start.SignalAndWait();
                var cpuBefore = ThreadCpuSeconds();
                long count = 0;
                while (Stopwatch.GetTimestamp() < Volatile.Read(ref deadline))
                {
                    RandomAccess.Read(handle, aligned.Span, random.NextInt64(blocks) * options.BlockSize);
                    count++;
                }
                cpu[index] = ThreadCpuSeconds() - cpuBefore;
                reads[index] = count;
                stop.SignalAndWait();
            }) { IsBackground = true, Name = $"reader-{index}" }).ToList();
            Volatile.Write(ref deadline, long.MaxValue);
            threads.ForEach(t => t.Start());
            start.SignalAndWait();
            var serverBefore = ProcessCpuSeconds(server.Id);
            var began = Stopwatch.GetTimestamp();
            Volatile.Write(ref deadline, began + (long)(options.Seconds * Stopwatch.Frequency));
            stop.SignalAndWait();
            var elapsed = Stopwatch.GetElapsedTime(began).TotalSeconds;
            var serverCpu = ProcessCpuSeconds(server.Id) - serverBefore;
            threads.ForEach(t => t.Join());

            server.StandardInput.Close();
            var tail = server.StandardError.ReadToEnd();
            if (!server.WaitForExit(30_000)) throw new InvalidOperationException("the server did not exit after the trial");
            var served = ParseServed(tail);
            return new TrialResult(config.Name, readerCount, options.BlockSize, reads.Sum(), warmUpReads.Sum(), elapsed, serverCpu, cpu.Sum(), served);
        }
        finally
        {
            if (!server.HasExited)
            {
                server.Kill();
                server.WaitForExit();
                Process.Start("umount", ["-l", mountPoint])?.WaitForExit();
            }
            try
            {
                Directory.Delete(mountPoint);
            }
            catch (IOException)
            {
            }
        }
    }

    private Process StartServer(string mountPoint, ServerConfig config)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath ?? "dotnet")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        if (Path.GetFileNameWithoutExtension(start.FileName) == "dotnet") start.ArgumentList.Add(typeof(RoundTripDriver).Assembly.Location);
        foreach (var argument in new[] { "serve", mountPoint, config.Name, "--file-mb", options.FileMegabytes.ToString(CultureInfo.InvariantCulture) })
            start.ArgumentList.Add(argument);
        if (options.Segments) start.ArgumentList.Add("--segments");
        return Process.Start(start) ?? throw new InvalidOperationException("cannot start the server process");
    }

    private static Memory<byte> AlignedSlice(byte[] pinned, int length)
    {
        unsafe
        {
            fixed (byte* pointer = pinned)
            {
                var skip = (int)((4096 - ((nint)pointer & 4095)) & 4095);
                return pinned.AsMemory(skip, length);
            }
        }
    }

    /// <summary>Opens with O_DIRECT: the page cache is bypassed, so every read is a FUSE request.</summary>
    private static SafeFileHandle OpenDirect(string path)
    {
        var fd = Libc.Open(path, Libc.O_RDONLY | Libc.O_DIRECT | Libc.O_CLOEXEC);
        if (fd < 0) throw new IOException($"open {path} with O_DIRECT: {Libc.Describe(Libc.LastErrno)}");
        return new SafeFileHandle(fd, ownsHandle: true);
    }

    /// <summary>CPU time of the calling thread, from /proc/thread-self/schedstat (nanoseconds on CPU).</summary>
    private static double ThreadCpuSeconds() =>
        long.Parse(File.ReadAllText("/proc/thread-self/schedstat").Split(' ')[0], CultureInfo.InvariantCulture) / 1e9;

    /// <summary>User plus system time of a process (all its threads, ended ones included), from /proc/PID/stat.</summary>
    private static double ProcessCpuSeconds(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // fields after the command: state is [0], utime is [11], stime is [12] (in clock ticks, 100 per second)
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
    }

    private static long ParseServed(string tail)
    {
        foreach (var line in tail.Split('\n'))
        {
            if (!line.StartsWith("served ", StringComparison.Ordinal)) continue;
            var number = line["served ".Length..].Split(' ')[0];
            if (long.TryParse(number, CultureInfo.InvariantCulture, out var served)) return served;
        }
        return -1;
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "?";
        }
    }
}
