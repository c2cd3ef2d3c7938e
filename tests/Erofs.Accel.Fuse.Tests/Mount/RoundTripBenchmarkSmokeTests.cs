using System.Diagnostics;
using Erofs.Accel.Fuse.Tests.TestSupport;

namespace Erofs.Accel.Fuse.Tests.Mount;

/// <summary>The FUSE round-trip microbenchmark (bench/Erofs.Accel.FuseRoundTrip) runs briefly over both transports.</summary>
[Collection(FuseMountCollection.Name)]
public sealed class RoundTripBenchmarkSmokeTests
{
    [Fact]
    public async Task ShortRunReportsBothTransportsAndEveryReadReachedTheServer()
    {
        MountGuard.RequireTransport(FuseTransport.IoUring);
        var benchmark = Path.Combine(RepositoryRoot(), "bench", "Erofs.Accel.FuseRoundTrip", "bin", "Release", "net10.0", "Erofs.Accel.FuseRoundTrip.dll");
        Assert.True(File.Exists(benchmark), $"{benchmark} is missing: build the solution (dotnet build Erofs.Accel.sln -c Release)");
        var start = new ProcessStartInfo(TestHostProcess.DotnetHost()) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { benchmark, "--seconds", "0.3", "--rounds", "1", "--readers", "1,2", "--configs", "classic,classic:shared,uring", "--file-mb", "8" })
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var outputRead = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var errorsRead = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        var output = await outputRead;
        var errors = await errorsRead;
        Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}: {errors}");

        var rows = output.Split('\n').Where(l => l.StartsWith("| classic", StringComparison.Ordinal) || l.StartsWith("| uring", StringComparison.Ordinal)).ToList();
        Assert.Equal(6, rows.Count);
        foreach (var row in rows)
        {
            var cells = row.Split('|', StringSplitOptions.TrimEntries);
            Assert.True(Number(cells[3]) > 0, row);      // reads/s
            // O_DIRECT: every 4 KiB read is one READ request (plus the odd LOOKUP), none is served from the page cache
            Assert.InRange(Number(cells[6]), 0.99, 1.2);
            Assert.True(Number(cells[7]) > 0, row);      // server CPU per read
        }
        Assert.DoesNotContain(Directory.GetDirectories(Path.GetTempPath(), "fuse-round-trip-*"), d => MountGuard.FindFuseMount(d) is not null);
    }

    private static double Number(string cell) => double.Parse(cell, System.Globalization.CultureInfo.InvariantCulture);

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            if (File.Exists(Path.Combine(directory.FullName, "Erofs.Accel.sln"))) return directory.FullName;
        throw new InvalidOperationException("cannot find the repository root above " + AppContext.BaseDirectory);
    }
}
