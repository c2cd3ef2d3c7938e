using Erofs.Accel.Fuzz;
using Erofs.Accel.Testing;

namespace Erofs.Accel.Core.Tests;

/// <summary>
/// CI's fuzz smoke: a bounded mutation run over every corpus image must find no contract violation (only typed
/// errors escape, no hang, bounded allocation, no write past a read buffer). The long run is documented in
/// docs/robustness.md.
/// </summary>
public class FuzzSmokeTests
{
    public static TheoryData<string> Images => TestCorpus.ImageNamesData();

    [Theory]
    [MemberData(nameof(Images))]
    public void MutatedImagesKeepTheContract(string name)
    {
        var seeds = SeedImage.LoadCorpus(TestCorpus.RequireDirectory(), name);
        Assert.Single(seeds);
        var log = new StringWriter();
        var findings = Path.Combine(Path.GetTempPath(), $"erofs-fuzz-smoke-{name}");
        var runner = new FuzzRunner(seeds, new FuzzOptions { Executions = 250, Seed = name.GetHashCode(StringComparison.Ordinal) & 0xFFFF, FindingsDirectory = findings, Log = log });
        int code = runner.Run();
        Assert.True(code == 0, $"{runner.Findings.Count} contract violation(s), inputs saved in {findings}:\n{string.Join("\n", runner.Findings)}");
        Assert.Equal(250, runner.Executions);
    }

    public static TheoryData<string> RegressionImages()
    {
        var data = new TheoryData<string>();
        var dir = Path.Combine(AppContext.BaseDirectory, "Regression");
        foreach (var f in Directory.Exists(dir) ? Directory.GetFiles(dir, "*.erofs").OrderBy(f => f, StringComparer.Ordinal) : Enumerable.Empty<string>())
            data.Add(Path.GetFileName(f));
        if (data.Count == 0) data.Add("(none)");
        return data;
    }

    /// <summary>Hostile images kept from fuzzing and from reviews: each must end in a typed error or read cleanly.</summary>
    [Theory]
    [MemberData(nameof(RegressionImages))]
    public void RegressionImagesKeepTheContract(string file)
    {
        if (file == "(none)") Assert.Skip("no regression images");
        var path = Path.Combine(AppContext.BaseDirectory, "Regression", file);
        var runner = new FuzzRunner(Array.Empty<SeedImage>(), new FuzzOptions());
        var violation = runner.RunOne(File.ReadAllBytes(path), Array.Empty<byte[]>(), 0, out _);
        Assert.Null(violation);
    }
}
