using System.Text;
using Erofs.Accel.Core.Export;
using Erofs.Accel.Testing;

namespace Erofs.Accel.Core.Tests;

/// <summary>
/// The export layer as a library: the streamed manifest's order, holes, limits, and ExtractToDirectory with
/// subtrees, progress and cancellation, speaking the library's language in its errors.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class ExportTests : IDisposable
{
    private readonly string _dir = TestPaths.NewTempDirectory("export-tests");

    public void Dispose() => TestPaths.DeleteTree(_dir);

    private string Write(CraftedImage.Node root, string name)
    {
        var path = Path.Combine(_dir, name + ".erofs");
        CraftedImage.Write(root, path);
        return path;
    }

    private static byte[] B(string s) => Encoding.Latin1.GetBytes(s);

    /// <summary>
    /// Names whose full paths do not sort like a depth-first walk: "a-b" and "a!" sort between "a" and "a/...",
    /// bytes below '/' (tab, '!', '-', '.'), prefixes of prefixes, a name that is not UTF-8, hardlinks across them.
    /// </summary>
    private static CraftedImage.Node TrickyTree(bool unsorted)
    {
        var root = CraftedImage.Directory(unsorted: unsorted);
        var shared = CraftedImage.File("shared\n");
        foreach (var top in new[] { "b", "a", "a-b", "a!", "a!!", "a.", "a\t", "a0", "\u00e9t\u00e9", "A" })
        {
            var d = root.Add(B(top), CraftedImage.Directory(unsorted: unsorted));
            foreach (var inner in new[] { "x", "x-", "x.", "x!", "y" })
            {
                var sub = d.Add(B(inner), CraftedImage.Directory(unsorted: unsorted));
                sub.Add("f", CraftedImage.File($"{top}/{inner}/f\n"));
            }
            d.Add("link", shared);
        }
        root.Add(B("a-"), CraftedImage.File("a-\n"));
        root.Add(new byte[] { 0x61, 0xff }, CraftedImage.File("not utf-8\n"));
        root.Add("z-link", shared);
        return root;
    }

    private static string[] ManifestLines(ErofsImage image, int parallelism = 1)
    {
        var sw = new StringWriter();
        new ManifestWriter(image) { Parallelism = parallelism }.Write(sw, TestContext.Current.CancellationToken);
        return sw.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).ToArray();
    }

    [Theory]
    [InlineData(false, 1)]
    [InlineData(false, 4)]
    [InlineData(true, 1)]
    [InlineData(true, 3)]
    public void ManifestLinesFollowTheByteOrderOfFullPaths(bool unsortedDirectories, int parallelism)
    {
        using var image = ErofsImage.Open(Write(TrickyTree(unsortedDirectories), "tricky"));
        var sortedPaths = TreeWalker.Walk(image).Select(n => n.Path).ToList();
        sortedPaths.Sort((a, b) => a.AsSpan().SequenceCompareTo(b));
        var lines = ManifestLines(image, parallelism);
        Assert.Equal(sortedPaths.Select(p => ManifestEscaping.Escape(p)), lines.Select(l => l.Split('\t')[0]));
        // the link field names the first member of the group in that order
        var links = lines.Select(l => l.Split('\t')).Where(f => f[0].EndsWith("link")).ToList();
        Assert.Equal(11, links.Count);
        Assert.All(links, f => Assert.Equal("/A/link", f[12]));
        Assert.Single(links.Select(f => f[10]).Distinct());
    }

    [Fact]
    public void AnImageWithUnsortedDirectoriesGivesTheSameManifestAsASortedOne()
    {
        using var sorted = ErofsImage.Open(Write(TrickyTree(false), "sorted"));
        using var unsorted = ErofsImage.Open(Write(TrickyTree(true), "unsorted"));
        var a = ManifestLines(sorted);
        var b = ManifestLines(unsorted);
        // directory sizes match too: both hold the same entries
        Assert.Equal(a, b);
    }

    [Fact]
    public void HoleRunsCoverEachFileAndReadAsZeros()
    {
        foreach (var name in new[] { "chunk-blob", "tar-index", "lz4", "plain-4k", "zstd-48bit" })
        {
            using var image = CorpusImages.Open(name);
            long holes = 0;
            foreach (var node in TreeWalker.Walk(image).Where(n => n.Inode.IsRegularFile && n.Inode.Size > 0).DistinctBy(n => n.Inode.Nid))
            {
                var ino = node.Inode;
                long size = (long)ino.Size, off = 0;
                while (off < size)
                {
                    long run = image.Data.MapRun(ino, off, out bool hole);
                    Assert.InRange(run, 1, size - off);
                    if (hole)
                    {
                        holes += run;
                        var buf = new byte[Math.Min(run, 1 << 20)];
                        Assert.Equal(buf.Length, image.Read(ino, off, buf));
                        Assert.True(buf.AsSpan().IndexOfAnyExcept((byte)0) < 0, $"{name} {Encoding.UTF8.GetString(node.Path)}: hole at {off} reads non-zero");
                    }
                    off += run;
                }
            }
            if (name == "chunk-blob") Assert.True(holes > 0, "the chunked image's sparse files have holes");
        }
    }

    [Fact]
    public void HolesOfACraftedSparseFileAreFoundWithoutReading()
    {
        var root = CraftedImage.Directory();
        root.Add("s", CraftedImage.Sparse(10 * 4096 + 7, 0, new Dictionary<long, byte> { [3] = 1, [4] = 2, [10] = 3 }));
        using var image = ErofsImage.Open(Write(root, "sparse"));
        var ino = image.Resolve("/s");
        Assert.Equal(3 * 4096, FileContents.HoleLength(image, ino, 0, long.MaxValue));
        Assert.Equal(0, FileContents.HoleLength(image, ino, 3 * 4096, long.MaxValue));
        Assert.Equal(5 * 4096 - 100, FileContents.HoleLength(image, ino, 5 * 4096 + 100, long.MaxValue));
        Assert.Equal(4096, FileContents.HoleLength(image, ino, 5 * 4096, 4096));
        Assert.Equal(0, FileContents.HoleLength(image, ino, 10 * 4096, long.MaxValue));
    }

    [Fact]
    public void LimitErrorsNameTheFileAndTheSettingNotACommandLineFlag()
    {
        using var image = CorpusImages.Open("plain-4k");
        var e = Assert.Throws<ScanLimitExceededException>(() =>
            new ManifestWriter(image) { Limits = new ScanLimits { MaxFileBytes = 100_000 } }.Write(new StringWriter(), TestContext.Current.CancellationToken));
        Assert.Equal(ScanLimit.FileBytes, e.Limit);
        Assert.StartsWith("/", e.Path);
        Assert.Contains("ScanLimits.MaxFileBytes", e.Message);
        Assert.DoesNotContain("--", e.Message);

        var total = Assert.Throws<ScanLimitExceededException>(() =>
            new ManifestWriter(image) { Parallelism = 2, Limits = new ScanLimits { MaxTotalBytes = 1 << 20 } }.Write(new StringWriter(), TestContext.Current.CancellationToken));
        Assert.Equal(ScanLimit.TotalBytes, total.Limit);
    }

    [Fact]
    public void AManifestCanBeCancelled()
    {
        using var image = CorpusImages.Open("plain-4k");
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => new ManifestWriter(image).Write(new StringWriter(), cts.Token));
    }

    [Fact]
    public void ExtractToDirectoryWritesTheChosenSubtreesAndReportsProgress()
    {
        using var image = CorpusImages.Open("lz4");
        var dest = Path.Combine(_dir, "subtree");
        var reports = new List<ExtractProgress>();
        var summary = image.ExtractToDirectory(dest, new ExtractOptions { Paths = new[] { "/large", "text/" } }, new SyncProgress(reports.Add),
            TestContext.Current.CancellationToken);
        Assert.Equal(new[] { "large", "text" }, Directory.GetFileSystemEntries(dest).Select(Path.GetFileName).Order());
        var expected = TreeWalker.Walk(image, image.Resolve("/large"), "/large"u8.ToArray())
            .Concat(TreeWalker.Walk(image, image.Resolve("/text"), "/text"u8.ToArray())).ToList();
        foreach (var n in expected.Where(n => n.Inode.IsRegularFile))
            Assert.Equal(image.ReadAllBytes(n.Inode), File.ReadAllBytes(dest + Encoding.UTF8.GetString(n.Path)));
        Assert.Equal(expected.Count(n => n.Inode.IsRegularFile), summary.Files + summary.Hardlinks);
        var last = reports[^1];
        Assert.Equal(expected.Count, last.Entries);
        Assert.Equal(summary.Files, last.Files);
        Assert.Equal(summary.Bytes, last.Bytes);
    }

    [Fact]
    public void ExtractToDirectoryStopsWhenCancelled()
    {
        using var image = CorpusImages.Open("plain-4k");
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var dest = Path.Combine(_dir, "cancelled");
        Assert.ThrowsAny<OperationCanceledException>(() => image.ExtractToDirectory(dest, cancellationToken: cts.Token));
        Assert.Empty(Directory.GetFileSystemEntries(dest));
    }

    [Fact]
    public void ExtractionRefusalsSpeakTheLibrarysLanguage()
    {
        using var image = CorpusImages.Open("plain-4k");
        var dest = Path.Combine(_dir, "not-empty");
        Directory.CreateDirectory(dest);
        File.WriteAllText(Path.Combine(dest, "mine"), "mine");
        var e = Assert.Throws<ExtractionRefusedException>(() => image.ExtractToDirectory(dest, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Equal(ExtractionRefusal.DestinationNotEmpty, e.Refusal);
        Assert.DoesNotContain("--", e.Message);
        var missing = Assert.ThrowsAny<Format.ErofsException>(() => image.ExtractToDirectory(Path.Combine(_dir, "x"),
            new ExtractOptions { Paths = new[] { "/modes/nope" } }, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Contains("/modes/nope: no such file or directory in the image", missing.Message);
        Assert.False(Directory.Exists(Path.Combine(_dir, "x")));
    }

    [Fact]
    public void TheDefaultOptionsLeaveOutWhatGrantsPrivileges()
    {
        var o = new ExtractOptions();
        Assert.False(o.RestoreSetuidSetgid);
        Assert.False(o.CreateDevices);
        Assert.False(o.Overwrite);
        Assert.True(o.RestoreTimes);
        Assert.False(o.Xattrs.Matches("security.capability"));
        Assert.False(o.Xattrs.Matches("security.selinux"));
        Assert.True(o.Xattrs.Matches("user.x"));
        Assert.True(o.Xattrs.Matches("system.posix_acl_access"));
        bool root = Environment.UserName == "root";
        Assert.Equal(root, o.RestoreOwners);
        Assert.Equal(!root, o.ApplyUmask);
        Assert.Equal(ScanLimits.DefaultMaxFileBytes, o.Limits.MaxFileBytes);
    }

    [Theory]
    [InlineData("user.*", "user.a", true)]
    [InlineData("user.*", "trusted.a", false)]
    [InlineData("*", "", true)]
    [InlineData("security.capability", "security.capability", true)]
    [InlineData("security.capability", "security.capability2", false)]
    [InlineData("trusted.overlay.?paque", "trusted.overlay.opaque", true)]
    [InlineData("*.posix_acl_*", "system.posix_acl_default", true)]
    [InlineData("a*b*c", "aXbYbZc", true)]
    [InlineData("a*b*c", "aXbYbZ", false)]
    public void XattrPatternsAreGlobs(string pattern, string name, bool matches) =>
        Assert.Equal(matches, new XattrFilter(new[] { pattern }).Matches(name));

    /// <summary>IProgress that reports on the calling thread (Progress&lt;T&gt; posts to the thread pool).</summary>
    private sealed class SyncProgress(Action<ExtractProgress> report) : IProgress<ExtractProgress>
    {
        public void Report(ExtractProgress value) => report(value);
    }
}
