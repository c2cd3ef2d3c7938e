using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Erofs.Accel.Core;
using Erofs.Accel.Core.Export;
using Erofs.Accel.Testing;

namespace Erofs.Accel.Mount.Tests;

/// <summary>
/// Soak: 32 readers hammer an <c>erofs-accel mount</c> while the server is stopped with SIGTERM and started again,
/// cycle after cycle, over different images. Every read that completes must return the image's bytes (checked
/// against the kernel's sha256 in the manifest); every stop must unmount cleanly; the server's memory must stay flat
/// while it serves. CI runs a short smoke; <c>scripts/soak.sh</c> runs it for 10 minutes
/// (<c>EROFS_SOAK_SECONDS</c>, <c>EROFS_SOAK_CYCLE_SECONDS</c>, <c>EROFS_SOAK_REPORT</c>).
/// </summary>
[Collection(MountCollection.Name)]
public partial class SoakTests
{
    private const int Readers = 32;
    private static readonly string CliDll = Path.Combine(AppContext.BaseDirectory, "erofs-accel.dll");
    private static readonly string[] Images = { "lz4hc-C64k", "deflate", "zstd", "lzma", "multi-alg" };

    private sealed record ExpectedFile(string RelativePath, byte[] Bytes);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int signal);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int posix_fadvise(int fd, long offset, long length, int advice);

    private const int PosixFadviseDontNeed = 4;

    private static int EnvInt(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), out int v) && v > 0 ? v : fallback;

    /// <summary>Regular files with plain names, their bytes read by the library and checked against the manifest.</summary>
    private static List<ExpectedFile> LoadExpected(string name)
    {
        var sha = File.ReadAllLines(TestCorpus.ManifestPath(name)).Skip(1).Select(l => l.Split('\t'))
            .Where(f => f[1] == "f").ToDictionary(f => f[0], f => f[10]);
        using var image = ErofsImage.Open(TestCorpus.ImagePath(name));
        var files = new List<ExpectedFile>();
        var seen = new HashSet<ulong>();
        foreach (var n in TreeWalker.Walk(image))
        {
            if (!n.Inode.IsRegularFile || n.Inode.Size == 0 || !seen.Add(n.Inode.Nid)) continue;
            if (n.Path.AsSpan().IndexOfAnyInRange((byte)0x80, (byte)0xFF) >= 0 || n.Path.AsSpan().IndexOfAnyInRange((byte)0, (byte)0x1F) >= 0) continue;
            var path = Encoding.UTF8.GetString(n.Path);
            var bytes = image.ReadAllBytes(n.Inode);
            Assert.Equal(sha[ManifestEscaping.Escape(n.Path)], Convert.ToHexStringLower(SHA256.HashData(bytes)));
            files.Add(new ExpectedFile(path, bytes));
        }
        return files;
    }

    private static long ResidentBytes(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                    return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
        }
        catch (IOException)
        {
        }
        return 0;
    }

    private static bool WaitUntil(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) return false;
            Thread.Sleep(20);
        }
        return true;
    }

    /// <summary>One serving period of one server: the files it serves. Replaced (or cleared) on every stop and start.</summary>
    private sealed record Serving(int Cycle, List<ExpectedFile> Files);

    [Fact]
    public void ThirtyTwoReadersThroughSigtermRestartCycles()
    {
        MountedImage.RequireFuseAndRoot();
        TestCorpus.RequireDirectory();
        int totalSeconds = EnvInt("EROFS_SOAK_SECONDS", 20);
        int cycleSeconds = Math.Min(totalSeconds, EnvInt("EROFS_SOAK_CYCLE_SECONDS", 5));
        var expected = Images.ToDictionary(n => n, LoadExpected);
        var mp = TestPaths.NewTempDirectory("soak");
        Serving? current = null;
        var failures = new ConcurrentQueue<string>();
        long checkedReads = 0, checkedBytes = 0, interruptedReads = 0;
        using var stop = new CancellationTokenSource();
        var readers = Enumerable.Range(0, Readers).Select(t => new Thread(() =>
        {
            var rng = new Random(1000 + t);
            var buffer = new byte[1 << 20];
            while (!stop.IsCancellationRequested && failures.IsEmpty)
            {
                var serving = Volatile.Read(ref current);
                if (serving is null)
                {
                    Thread.Sleep(5);
                    continue;
                }
                var file = serving.Files[rng.Next(serving.Files.Count)];
                int off = rng.Next(3) == 0 ? 0 : rng.Next(file.Bytes.Length);
                int len = rng.Next(3) == 0 ? file.Bytes.Length - off : rng.Next(1, Math.Min(file.Bytes.Length - off, buffer.Length) + 1);
                len = Math.Min(len, buffer.Length);
                int got = 0;
                try
                {
                    using var h = File.OpenHandle(mp + file.RelativePath);
                    // most reads drop the file's cached pages first, so they reach the server instead of the page cache
                    if (rng.Next(4) != 0) posix_fadvise((int)h.DangerousGetHandle(), 0, 0, PosixFadviseDontNeed);
                    while (got < len)
                    {
                        int n = RandomAccess.Read(h, buffer.AsSpan(got, len - got), off + got);
                        if (n <= 0) break;
                        got += n;
                    }
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    if (ReferenceEquals(Volatile.Read(ref current), serving))
                        failures.Enqueue($"cycle {serving.Cycle}: {file.RelativePath} [{off}, +{len}) failed while the server was serving: {e.Message}");
                    else Interlocked.Increment(ref interruptedReads);
                    continue;
                }
                // a read that overlapped a stop may see the next image's file under the same name: not a verdict
                if (!ReferenceEquals(Volatile.Read(ref current), serving))
                    Interlocked.Increment(ref interruptedReads);
                else if (got != len)
                    failures.Enqueue($"cycle {serving.Cycle}: {file.RelativePath} [{off}, +{len}): short read of {got} bytes while serving");
                else if (!buffer.AsSpan(0, got).SequenceEqual(file.Bytes.AsSpan(off, got)))
                    failures.Enqueue($"cycle {serving.Cycle}: {file.RelativePath} [{off}, +{len}): wrong bytes");
                else
                {
                    Interlocked.Increment(ref checkedReads);
                    Interlocked.Add(ref checkedBytes, got);
                }
            }
        }) { IsBackground = true, Name = $"soak-reader-{t}" }).ToList();
        readers.ForEach(r => r.Start());

        var report = new StringBuilder();
        var watch = Stopwatch.StartNew();
        int cycles = 0;
        long firstSettledRss = 0, maxRss = 0;
        Process? running = null;
        try
        {
            while (watch.Elapsed.TotalSeconds < totalSeconds && failures.IsEmpty)
            {
                var name = Images[cycles % Images.Length];
                var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
                foreach (var a in new[] { CliDll, "mount", "--foreground", TestCorpus.ImagePath(name), mp }) psi.ArgumentList.Add(a);
                using var server = Process.Start(psi)!;
                running = server;
                var stderr = server.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
                Assert.True(WaitUntil(() => MountedImage.IsMounted(mp) || server.HasExited, TimeSpan.FromSeconds(60)), $"cycle {cycles}: {name} never mounted");
                if (server.HasExited) Assert.Fail($"cycle {cycles}: server exited early: {stderr.Result}");
                Volatile.Write(ref current, new Serving(cycles, expected[name]));
                var cycleEnd = DateTime.UtcNow + TimeSpan.FromSeconds(cycleSeconds);
                var samples = new List<long>();
                while (DateTime.UtcNow < cycleEnd && failures.IsEmpty)
                {
                    Thread.Sleep(Math.Min(1000, Math.Max(1, (int)(cycleEnd - DateTime.UtcNow).TotalMilliseconds)));
                    samples.Add(ResidentBytes(server.Id));
                }
                Volatile.Write(ref current, null);
                Assert.Equal(0, kill(server.Id, 15));
                Assert.True(server.WaitForExit(60_000), $"cycle {cycles}: server did not stop on SIGTERM");
                if (server.ExitCode != 0) Assert.Fail($"cycle {cycles}: server exit code {server.ExitCode}: {stderr.Result}");
                running = null;
                Assert.True(WaitUntil(() => !MountedImage.IsMounted(mp), TimeSpan.FromSeconds(10)), $"cycle {cycles}: mount left behind after SIGTERM");
                // settled memory: what the server holds after its first second of load; it must not keep growing
                long settled = samples.Count > 1 ? samples[1] : samples.FirstOrDefault();
                long last = samples.LastOrDefault();
                if (cycles == 0) firstSettledRss = settled;
                maxRss = Math.Max(maxRss, samples.DefaultIfEmpty(0).Max());
                var trajectory = samples.Where((_, i) => i == 1 || i % 10 == 9 || i == samples.Count - 1).Select(b => (b >> 20).ToString());
                report.AppendLine($"cycle {cycles}: {name}, {samples.Count} s, server RSS MiB at 2 s, every 10 s and at SIGTERM: {string.Join(" ", trajectory)}");
                Assert.True(last <= settled + settled / 2 + (96L << 20),
                    $"cycle {cycles}: server memory grew from {settled >> 20} MiB to {last >> 20} MiB while serving");
                if (samples.Count >= 20)
                {
                    // long cycles: after warming up (caches filled, GC settled) memory must plateau
                    long middle = samples[samples.Count / 2];
                    Assert.True(last <= middle + (24L << 20),
                        $"cycle {cycles}: server memory still growing in the second half of the cycle: {middle >> 20} MiB to {last >> 20} MiB");
                }
                cycles++;
            }
        }
        finally
        {
            stop.Cancel();
            if (running is { HasExited: false })
            {
                kill(running.Id, 15);
                if (!running.WaitForExit(30_000)) running.Kill();
            }
            readers.ForEach(r => r.Join(TimeSpan.FromSeconds(60)));
            MountedImage.Rescue(mp);
            TestPaths.DeleteTree(mp);
            var summary = $"soak: {watch.Elapsed.TotalSeconds:F0} s, {cycles} SIGTERM/restart cycles, {Readers} readers, {checkedReads} reads " +
                          $"({checkedBytes >> 20} MiB) checked, {interruptedReads} interrupted by restarts, {failures.Count} failures, " +
                          $"server RSS first {firstSettledRss >> 20} MiB, max {maxRss >> 20} MiB";
            report.Insert(0, summary + "\n");
            TestContext.Current.SendDiagnosticMessage(summary);
            if (Environment.GetEnvironmentVariable("EROFS_SOAK_REPORT") is { Length: > 0 } path) File.WriteAllText(path, report.ToString());
        }
        Assert.True(failures.IsEmpty, string.Join("\n", failures.Take(10)));
        Assert.True(cycles >= 2, $"only {cycles} cycles ran");
        Assert.True(checkedReads > 0, "no read completed");
        Assert.False(MountedImage.IsMounted(mp));
    }
}
