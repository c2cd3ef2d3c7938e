using System.Text.RegularExpressions;
using Erofs.Accel.Decompression.OpenCl;
using Erofs.Accel.Decompression.Engine;
using Erofs.Accel.Testing;

namespace Erofs.Accel.Cli.Tests;

/// <summary>--accel routes reads through the engine: accelerators take what they can, the rest is software,
/// and the output never changes.</summary>
public class AccelerationTests
{
    private static long Served(string verbose, string backend)
    {
        var m = Regex.Match(verbose, $@"^\s*{Regex.Escape(backend)}: (\d+) requests, (\d+) served", RegexOptions.Multiline);
        Assert.True(m.Success, $"no line for {backend} in:\n{verbose}");
        return long.Parse(m.Groups[2].Value);
    }

    private static long Requests(string verbose, string backend) =>
        long.Parse(Regex.Match(verbose, $@"^\s*{Regex.Escape(backend)}: (\d+) requests", RegexOptions.Multiline).Groups[1].Value);

    [Fact]
    public void BackendsListsEveryBackendWithItsAvailability()
    {
        var (exit, output, err) = CliRunner.Run("backends");
        Assert.True(exit == 0, err);
        foreach (var name in new[] { "qpl", "qat", "opencl", "lz4-liblz4", "lz4-k4os", "deflate-libdeflate", "deflate-bcl", "lzma-liblzma", "lzma-managed", "zstd-libzstd", "zstd-zstdsharp" })
            Assert.Matches($@"(?m)^{Regex.Escape(name)}\s", output);
        Assert.Contains("windowbits <= 12", output);
        // OpenCL lives in its own assembly: the CLI registers it, so its line names a device or why there is none
        Assert.DoesNotContain("did not register", output);
    }

    [Fact]
    public void A32KWindowImageNeverGoesToQpl()
    {
        var (exit, output, err) = CliRunner.Run("manifest", "-v", "--accel", "qpl", TestCorpus.ImagePath("deflate"));
        Assert.True(exit == 0, err);
        Assert.Equal(File.ReadAllText(TestCorpus.ManifestPath("deflate")), output);
        Assert.Equal(0, Requests(err, "qpl"));
        Assert.True(Served(err, "software") > 0);
    }

    [Theory]
    [InlineData("lz4")]
    [InlineData("deflate")]
    [InlineData("deflate-w4k")]
    public void ExtractThroughOpenClReproducesTheManifest(string name)
    {
        using (var probe = OpenClBackend.Create())
            if (!probe.Availability.IsAvailable) Assert.Skip($"OpenCL unavailable: {probe.Availability.Detail}");
        Environment.SetEnvironmentVariable(OpenClBackendOptions.MinimumBatchVariable, "4");
        var dir = TestPaths.NewTempDirectory("opencl-extract");
        try
        {
            var (exit, _, err) = CliRunner.Run("extract", "-q", "-v", "--force", "--accel", "opencl", TestCorpus.ImagePath(name), dir);
            Assert.True(exit == 0, err);
            Assert.True(Served(err, "opencl") > 0, err);
            var (mexit, manifest, merr) = CliRunner.Run("manifest", "-v", "--accel", "opencl", TestCorpus.ImagePath(name));
            Assert.True(mexit == 0, merr);
            Assert.Equal(File.ReadAllText(TestCorpus.ManifestPath(name)), manifest);
            Assert.True(Served(merr, "opencl") > 0, merr);
        }
        finally
        {
            Environment.SetEnvironmentVariable(OpenClBackendOptions.MinimumBatchVariable, null);
            TestPaths.DeleteTree(dir);
        }
    }

    [Fact]
    public void BenchThroughOpenClReportsTheDeviceAndWhereItsTimeWent()
    {
        using (var probe = OpenClBackend.Create(new OpenClBackendOptions { Calibrate = false }))
            if (!probe.Availability.IsAvailable) Assert.Skip($"OpenCL unavailable: {probe.Availability.Detail}");
        Environment.SetEnvironmentVariable(OpenClBackendOptions.MinimumBatchVariable, "2");
        try
        {
            var (exit, output, err) = CliRunner.Run("bench", TestCorpus.ImagePath("lz4hc-C64k"), "--accel", "opencl", "--json");
            Assert.True(exit == 0, err);
            using var doc = System.Text.Json.JsonDocument.Parse(output);
            Assert.Equal(16, doc.RootElement.GetProperty("readMegabytes").GetInt32());   // whole files reach the device
            var opencl = doc.RootElement.GetProperty("opencl");
            Assert.True(opencl.GetProperty("available").GetBoolean(), output);
            Assert.False(string.IsNullOrEmpty(opencl.GetProperty("device").GetString()));
            var stages = opencl.GetProperty("stages");
            Assert.True(stages.GetProperty("submissions").GetInt64() > 0, output);
            Assert.True(stages.GetProperty("profiledSubmissions").GetInt64() > 0, output);
            Assert.True(stages.GetProperty("deviceMicroseconds").GetDouble() > 0);
            var served = doc.RootElement.GetProperty("backends").EnumerateArray().Single(b => b.GetProperty("name").GetString() == "opencl");
            Assert.Equal(stages.GetProperty("items").GetInt64(), served.GetProperty("served").GetInt64() + served.GetProperty("fellBack").GetInt64());

            var (texit, text, terr) = CliRunner.Run("bench", TestCorpus.ImagePath("lz4"), "--accel", "opencl", "--read-mb", "4");
            Assert.True(texit == 0, terr);
            Assert.Contains("reads of 4 MiB", text);
            Assert.Matches(@"opencl stages: \d+ submissions, \d+ items, .*per submission: fill \d+, enqueue \d+, device \d+, collect \d+ us; device side: launch", text);
        }
        finally
        {
            Environment.SetEnvironmentVariable(OpenClBackendOptions.MinimumBatchVariable, null);
        }
    }

    [Fact]
    public void AnInvalidPolicyIsAUsageError()
    {
        var (exit, _, err) = CliRunner.Run("ls", "--accel", "gpu9000", TestCorpus.ImagePath("lz4"));
        Assert.Equal(2, exit);
        Assert.Contains("unknown accelerator 'gpu9000'", err);
        _ = AccelerationPolicy.Auto;
    }
}
