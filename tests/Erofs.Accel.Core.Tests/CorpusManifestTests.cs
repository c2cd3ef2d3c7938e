using Erofs.Accel.Core.Export;
using Erofs.Accel.Testing;

namespace Erofs.Accel.Core.Tests;

/// <summary>The reader's view of every corpus image equals the kernel's manifest (the documented kernel bug aside).</summary>
public class CorpusManifestTests
{
    public static TheoryData<string> Images => TestCorpus.ImageNamesData();

    [Theory]
    [MemberData(nameof(Images))]
    public void ManifestEqualsTheKernelView(string name)
    {
        using var image = CorpusImages.Open(name);
        var sw = new StringWriter();
        new ManifestWriter(image) { Parallelism = 2 }.Write(sw, TestContext.Current.CancellationToken);
        var expected = CorpusImages.ExpectedManifest(name);
        var got = sw.ToString();
        if (got == expected) return;
        var g = got.Split('\n');
        var e = expected.Split('\n');
        var diffs = Enumerable.Range(0, Math.Max(g.Length, e.Length))
            .Where(i => i >= g.Length || i >= e.Length || g[i] != e[i]).Take(3)
            .Select(i => $"line {i + 1}:\n  got  {(i < g.Length ? g[i] : "<none>")}\n  want {(i < e.Length ? e[i] : "<none>")}");
        Assert.Fail($"{name}: manifest differs\n{string.Join("\n", diffs)}");
    }

    [Fact]
    public void InlineTailsOfTheInterlacedPackedInodeReadAsWritten()
    {
        // the kernel returns wrong bytes for these 105 files; the source tree's contents are the truth
        TestCorpus.RequireDirectory();
        var kernel = CorpusImages.LoadManifest(TestCorpus.ManifestPath(CorpusImages.KernelRotatesInlineTails));
        var source = CorpusImages.LoadManifest(Path.Combine(TestCorpus.RequireDirectory(), "source-tree-small-1001.manifest"));
        using var image = CorpusImages.Open(CorpusImages.KernelRotatesInlineTails);
        var sw = new StringWriter();
        new ManifestWriter(image).Write(sw, TestContext.Current.CancellationToken);
        var ours = sw.ToString().Split('\n').Skip(1).Where(l => l.Length > 0).Select(l => l.Split('\t')).ToDictionary(f => f[0]);
        int fixedFiles = 0;
        foreach (var (path, f) in ours)
        {
            if (f[1] != "f") continue;
            Assert.Equal(source[path][10], f[10]);
            if (kernel[path][10] != f[10]) fixedFiles++;
        }
        Assert.Equal(105, fixedFiles);
    }
}
