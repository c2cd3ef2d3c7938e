using System.Text.Json;
using Erofs.Accel.Core;
using Erofs.Accel.Core.Export;
using Erofs.Accel.Testing;

namespace Erofs.Accel.Cli.Tests;

public class BenchTests
{
    [Theory]
    [InlineData("multi-alg", 1)]
    [InlineData("lz4hc-C64k", 2)]
    public void BenchReportsEveryPclusterAndEveryFileAsJson(string name, int threads)
    {
        var (exit, output, err) = CliRunner.Run("bench", TestCorpus.ImagePath(name), "--json", "--threads", threads.ToString());
        Assert.True(exit == 0, err);
        using var doc = JsonDocument.Parse(output);
        var phases = doc.RootElement.GetProperty("phases").EnumerateArray().ToDictionary(p => p.GetProperty("name").GetString()!);
        using var image = ErofsImage.Open(TestCorpus.ImagePath(name));
        var pclusters = image.EnumeratePclusters().ToList();
        Assert.Equal(pclusters.Count, phases["decode-pclusters"].GetProperty("items").GetInt64());
        Assert.Equal(pclusters.Sum(p => (long)p.Parameters.OutputLength), phases["decode-pclusters"].GetProperty("decodedBytes").GetInt64());
        var files = TreeWalker.Walk(image).Where(n => n.Inode.IsRegularFile).GroupBy(n => n.Inode.Nid).Select(g => g.First().Inode).ToList();
        Assert.Equal(files.Count, phases["read-files"].GetProperty("items").GetInt64());
        Assert.Equal(files.Sum(f => (long)f.Size), phases["read-files"].GetProperty("decodedBytes").GetInt64());
        Assert.True(phases["read-files"].GetProperty("megabytesPerSecond").GetDouble() > 0);
        var software = doc.RootElement.GetProperty("backends").EnumerateArray().Single(b => b.GetProperty("name").GetString() == "software");
        Assert.True(software.GetProperty("served").GetInt64() >= pclusters.Count);
        Assert.True(doc.RootElement.GetProperty("peakWorkingSetBytes").GetInt64() > 0);
    }

    [Fact]
    public void BenchPrintsAReadableSummary()
    {
        var (exit, output, err) = CliRunner.Run("bench", TestCorpus.ImagePath("zstd"));
        Assert.True(exit == 0, err);
        Assert.Contains("decode every pcluster:", output);
        Assert.Contains("MB/s", output);
        Assert.Contains("peak memory", output);
    }
}

/// <summary>The end-to-end benchmark's smoke mode runs every reader once on a small dataset.</summary>
public class EndToEndSmokeTests
{
    [System.Runtime.InteropServices.DllImport("libc")]
    private static extern uint geteuid();

    [Fact]
    public void SmokeRunMeasuresEveryReaderAndWritesTheReport()
    {
        if (geteuid() != 0) Assert.Skip("the end-to-end benchmark mounts images and drops caches: needs root");
        if (!File.Exists("/dev/fuse")) Assert.Skip("/dev/fuse is absent");
        var script = Path.Combine(TestCorpus.RepoRoot, "bench", "run-e2e.sh");
        var outDir = TestPaths.NewTempDirectory("e2e-smoke");
        try
        {
            var psi = new System.Diagnostics.ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
            psi.ArgumentList.Add(script);
            psi.ArgumentList.Add("--smoke");
            psi.ArgumentList.Add("--out");
            psi.ArgumentList.Add(outDir);
            using var p = System.Diagnostics.Process.Start(psi)!;
            var stdout = p.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
            var stderr = p.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
            Assert.True(p.WaitForExit(600_000), "smoke run took over 10 minutes");
            Assert.True(p.ExitCode == 0, stderr.Result);
            var rows = File.ReadAllLines(Path.Combine(outDir, "results.tsv")).Skip(1).Select(l => l.Split('\t')).ToList();
            foreach (var reader in new[] { "erofs-accel", "kernel", "squashfuse" })
                Assert.Contains(rows, r => r[0] == "seq-read" && r[2] == reader && long.Parse(r[5]) > 0);
            Assert.Contains(rows, r => r[0] == "extract" && r[2] == "erofs-accel");
            Assert.Contains("seq-read", File.ReadAllText(Path.Combine(outDir, "report.md")));
            Assert.True(File.Exists(Path.Combine(outDir, "seq-read.png")));
            _ = stdout.Result;
        }
        finally
        {
            TestPaths.DeleteTree(outDir);
        }
    }
}
