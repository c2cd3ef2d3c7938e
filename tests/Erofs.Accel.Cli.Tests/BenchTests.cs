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
