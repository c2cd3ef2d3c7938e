using System.Diagnostics;
using Erofs.Accel.Testing;

namespace Erofs.Accel.Cli.Tests;

/// <summary>
/// extract, asked to restore everything (-p --devices --xattrs), writes a tree that shared/tools/erofs-manifest sees
/// exactly as the kernel sees the image (directory sizes aside, and the destination directory itself, which keeps its
/// own attributes). Needs root: owners, devices and trusted.* xattrs cannot be restored otherwise.
/// </summary>
public class ExtractTests
{
    public static TheoryData<string> Images => TestCorpus.ImageNamesData();

    private static void RequireRootAndTool(out string tool)
    {
        if (Environment.UserName != "root" && geteuid() != 0) Assert.Skip("extract round trip needs root (owners, devices, trusted.* xattrs)");
        tool = Path.GetFullPath(Path.Combine(TestCorpus.RequireDirectory(), "..", "tools", "erofs-manifest"));
        if (!File.Exists(tool)) Assert.Skip($"manifest tool not found at {tool}");
        if (!File.Exists("/usr/bin/python3")) Assert.Skip("python3 is not installed (scripts/install-deps.sh --test installs it)");
    }

    [System.Runtime.InteropServices.DllImport("libc")]
    private static extern uint geteuid();

    private static string RunTool(string tool, string dir)
    {
        var psi = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(tool);
        psi.ArgumentList.Add("--no-dir-size");
        psi.ArgumentList.Add(dir);
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEndAsync();
        var err = p.StandardError.ReadToEndAsync();
        Assert.True(p.WaitForExit(120_000), "erofs-manifest timed out");
        Assert.True(p.ExitCode == 0, err.Result);
        return output.Result;
    }

    /// <summary>Extract's options that restore everything the image records.</summary>
    private static readonly string[] Everything = { "-p", "--devices", "--xattrs" };

    /// <summary>A manifest without the line of the root (the destination directory keeps its own attributes).</summary>
    private static string WithoutRoot(string manifest)
    {
        var lines = manifest.Split('\n').ToList();
        Assert.StartsWith("/\t", lines[1]);
        lines.RemoveAt(1);
        return string.Join('\n', lines);
    }

    /// <summary>The corpus manifest with directory sizes blanked, as --no-dir-size prints them, and no root line.</summary>
    private static string ExpectedWithoutDirSizes(string name) => WithoutRoot(CorpusWithoutDirSizes(name));

    private static string CorpusWithoutDirSizes(string name)
    {
        var lines = File.ReadAllLines(TestCorpus.ManifestPath(name));
        string[]? source = null;
        if (name == "lz4hc-ztailpacking-fragments")
            source = File.ReadAllLines(Path.Combine(TestCorpus.RequireDirectory(), "source-tree-small-1001.manifest"));
        var sourceSha = source?.Skip(1).Select(l => l.Split('\t')).ToDictionary(f => f[0], f => f[10]);
        for (int i = 1; i < lines.Length; i++)
        {
            var f = lines[i].Split('\t');
            if (f[1] == "d") f[5] = "-";
            if (sourceSha is not null && f[1] == "f") f[10] = sourceSha[f[0]];
            lines[i] = string.Join('\t', f);
        }
        return string.Join('\n', lines) + "\n";
    }

    [Theory]
    [MemberData(nameof(Images))]
    public void ExtractedTreeMatchesTheManifest(string name)
    {
        RequireRootAndTool(out var tool);
        var dir = Path.Combine(Path.GetTempPath(), $"erofs-extract-{name}-{Guid.NewGuid():N}");
        try
        {
            var args = new List<string> { "extract", "-q", TestCorpus.ImagePath(name), dir };
            args.AddRange(Everything);
            foreach (var d in TestCorpus.ExtraDevices(name)) { args.Add("--device"); args.Add(d); }
            var (exit, _, err) = CliRunner.Run(args.ToArray());
            Assert.True(exit == 0, err);
            Assert.Equal(ExpectedWithoutDirSizes(name), WithoutRoot(RunTool(tool, dir)));
        }
        finally
        {
            TestPaths.DeleteTree(dir);
        }
    }

    [Theory]
    [InlineData("lz4hc-C64k", 1)]
    [InlineData("lz4hc-C64k", 8)]
    [InlineData("deflate", 3)]
    [InlineData("plain-4k", 8)]
    public void TheNumberOfParallelFileWritersDoesNotChangeTheTree(string name, int jobs)
    {
        RequireRootAndTool(out var tool);
        var dir = Path.Combine(Path.GetTempPath(), $"erofs-extract-jobs-{name}-{Guid.NewGuid():N}");
        try
        {
            var (exit, _, err) = CliRunner.Run(new[] { "extract", "-q", "--jobs", jobs.ToString(), TestCorpus.ImagePath(name), dir }.Concat(Everything).ToArray());
            Assert.True(exit == 0, err);
            Assert.Equal(ExpectedWithoutDirSizes(name), WithoutRoot(RunTool(tool, dir)));
        }
        finally
        {
            TestPaths.DeleteTree(dir);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public void ACorruptPclusterStopsTheExtractionWithOneClearError(int jobs)
    {
        // garble the compressed data of one file; the writer thread that meets it must stop everything cleanly
        var image = Path.Combine(Path.GetTempPath(), $"erofs-corrupt-data-{Guid.NewGuid():N}.erofs");
        var dir = Path.Combine(Path.GetTempPath(), $"erofs-extract-corrupt-{Guid.NewGuid():N}");
        File.Copy(TestCorpus.ImagePath("lz4hc-C64k"), image);
        try
        {
            long address;
            using (var img = Erofs.Accel.Core.ErofsImage.Open(image))
                address = img.EnumerateExtents(img.Resolve("/large/large-text.log")).First(e => e.Kind == Erofs.Accel.Core.Data.ExtentKind.Compressed).PhysicalAddress;
            using (var f = new FileStream(image, FileMode.Open, FileAccess.ReadWrite))
            {
                f.Position = address;
                var garbage = new byte[8192];
                new Random(7).NextBytes(garbage);
                f.Write(garbage);
            }
            var (exit, _, err) = CliRunner.Run("extract", "-q", "--jobs", jobs.ToString(), image, dir);
            Assert.Equal(1, exit);
            var lines = err.TrimEnd().Split('\n');
            Assert.Single(lines);
            Assert.Contains("large-text.log", err);
            Assert.Contains("cannot decode lz4 pcluster", err);
        }
        finally
        {
            TestPaths.DeleteTree(dir);
            File.Delete(image);
        }
    }

    [Fact]
    public void ADestinationThatCannotBeCreatedGivesOneLineAndExitOne()
    {
        // A file in the way of a parent directory: creation fails whatever the user's privileges.
        var blocker = Path.Combine(Path.GetTempPath(), $"erofs-extract-blocker-{Guid.NewGuid():N}");
        File.WriteAllText(blocker, "not a directory");
        try
        {
            var (exit, _, err) = CliRunner.Run("extract", TestCorpus.ImagePath("plain-4k"), Path.Combine(blocker, "out"));
            Assert.Equal(1, exit);
            Assert.Contains("cannot create the destination directory", err);
            Assert.Single(err.Trim().Split('\n'));
            Assert.Equal("not a directory", File.ReadAllText(blocker));
        }
        finally
        {
            File.Delete(blocker);
        }
    }

    [Fact]
    public void RefusesANonEmptyDirectoryWithoutForce()
    {
        var dir = Path.Combine(Path.GetTempPath(), $"erofs-extract-nonempty-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "mine.txt"), "keep me");
        try
        {
            var (exit, _, err) = CliRunner.Run("extract", TestCorpus.ImagePath("plain-4k"), dir);
            Assert.Equal(1, exit);
            Assert.Contains("not empty", err);
            Assert.Equal("keep me", File.ReadAllText(Path.Combine(dir, "mine.txt")));
            Assert.Single(Directory.EnumerateFileSystemEntries(dir));
        }
        finally
        {
            TestPaths.DeleteTree(dir);
        }
    }

    [Fact]
    public void ForceNeverWritesThroughASymlinkOutsideTheDestination()
    {
        var outside = Path.Combine(Path.GetTempPath(), $"erofs-outside-{Guid.NewGuid():N}");
        var dir = Path.Combine(Path.GetTempPath(), $"erofs-extract-force-{Guid.NewGuid():N}");
        Directory.CreateDirectory(outside);
        Directory.CreateDirectory(dir);
        try
        {
            // a symlink planted where the image has a directory and where it has a file
            File.CreateSymbolicLink(Path.Combine(dir, "text"), outside);
            File.CreateSymbolicLink(Path.Combine(dir, "README-link-target"), Path.Combine(outside, "victim"));
            var (exit, _, err) = CliRunner.Run("extract", "-q", "--force", TestCorpus.ImagePath("plain-4k"), dir);
            Assert.True(exit == 0, err);
            Assert.Empty(Directory.EnumerateFileSystemEntries(outside));
            Assert.True(Directory.Exists(Path.Combine(dir, "text")));
            Assert.Null(new DirectoryInfo(Path.Combine(dir, "text")).LinkTarget);
        }
        finally
        {
            TestPaths.DeleteTree(dir);
            TestPaths.DeleteTree(outside);
        }
    }
}
