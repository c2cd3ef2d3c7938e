using System.Security.Cryptography;
using Erofs.Accel.Core.Inspection;
using Erofs.Accel.Format;
using Erofs.Accel.Testing;

namespace Erofs.Accel.Core.Tests;

/// <summary>Extent lists of every layout, statistics and content fingerprints, checked against the image bytes and the manifests.</summary>
public class InspectionTests
{
    public static TheoryData<string> Images => TestCorpus.ImageNamesData();

    /// <summary>
    /// Uncompressed layouts: putting together each file from its extents alone (device bytes at the physical
    /// addresses, zeros for holes, inline tails at their metadata position) gives the manifest's sha256.
    /// </summary>
    [Theory]
    [InlineData("plain-4k")]
    [InlineData("chunk-blob")]
    [InlineData("tar-index")]
    public void FilesReassembledFromTheirExtentsMatchTheManifest(string name)
    {
        using var image = CorpusImages.Open(name);
        var devices = new[] { TestCorpus.ImagePath(name) }.Concat(TestCorpus.ExtraDevices(name)).Select(File.ReadAllBytes).ToArray();
        int files = 0;
        foreach (var (path, f) in CorpusImages.LoadManifest(TestCorpus.ManifestPath(name)))
        {
            if (f[1] != "f" || path.Contains('\\')) continue;
            var inode = image.Resolve(path);
            var content = new byte[inode.Size];
            long at = 0;
            foreach (var e in FileExtents.Enumerate(image, inode))
            {
                Assert.Equal(at, e.LogicalStart);
                at = e.LogicalEnd;
                if (e.Kind == FileExtentKind.Hole) continue;
                Assert.Equal(FileExtentKind.Stored, e.Kind);
                Assert.False(e.InMetabox);
                var device = devices[e.InMetadata ? 0 : e.Device];
                device.AsSpan((int)e.PhysicalAddress, (int)e.Length).CopyTo(content.AsSpan((int)e.LogicalStart));
            }
            Assert.Equal((long)inode.Size, at);
            Assert.True(f[10] == Convert.ToHexStringLower(SHA256.HashData(content)), path);
            files++;
        }
        Assert.True(files > 200, $"only {files} files");
    }

    /// <summary>Compressed layouts: extents cover each file, pclusters lie inside the image, fragments inside the packed inode.</summary>
    [Theory]
    [MemberData(nameof(Images))]
    public void ExtentsCoverEveryFileAndLieInsideTheImage(string name)
    {
        using var image = CorpusImages.Open(name);
        long imageLength = new FileInfo(TestCorpus.ImagePath(name)).Length;
        foreach (var node in Export.TreeWalker.Walk(image))
        {
            var inode = node.Inode;
            if (inode.Type is not (InodeType.RegularFile or InodeType.Directory or InodeType.Symlink)) continue;
            long at = 0;
            foreach (var e in FileExtents.Enumerate(image, inode))
            {
                Assert.Equal(at, e.LogicalStart);
                Assert.True(e.Length > 0);
                at = e.LogicalEnd;
                if (e.Kind == FileExtentKind.Compressed)
                {
                    Assert.NotNull(e.Algorithm);
                    Assert.True(e.PhysicalLength > 0);
                }
                if (e.Kind is FileExtentKind.Fragment)
                    Assert.True(e.FragmentOffset + e.Length <= (long)image.PackedInode!.Size);
                else if (e.Kind != FileExtentKind.Hole && e.Device == 0 && !e.InMetabox)
                    Assert.True(e.PhysicalAddress + e.PhysicalLength <= imageLength, $"{node.Path}: {e}");
            }
            Assert.Equal((long)inode.Size, at);
        }
    }

    [Fact]
    public void FingerprintsParseAndMatchTheContents()
    {
        using var image = ErofsImage.Open(Path.Combine(TestCorpus.RequireSharingDirectory(), "fingerprint-b.erofs"));
        var inode = image.Resolve("/text/CHANGED-b.txt");
        var fingerprint = ContentFingerprint.Of(image, inode);
        Assert.NotNull(fingerprint);
        Assert.Equal("sha256", fingerprint.Value.Algorithm);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(image.ReadAllBytes(inode))), fingerprint.Value.DigestHex);
        Assert.True(fingerprint.Value.Matches(image, inode, TestContext.Current.CancellationToken));
        Assert.False(ContentFingerprint.TryParse("sha256:abc"u8, out _));
        Assert.False(ContentFingerprint.TryParse(new byte[39], out _));
    }

    [Fact]
    public void VerifierStopsAtTheProblemLimitAndCountsTheRest()
    {
        var bytes = File.ReadAllBytes(TestCorpus.ImagePath("lz4"));
        using var probe = CorpusImages.Open("lz4");
        // damage every compressed pcluster of /text: one problem per file
        int damaged = 0;
        foreach (var node in Export.TreeWalker.Walk(probe, probe.Resolve("/text"), "/text"u8.ToArray()))
            foreach (var e in FileExtents.Enumerate(probe, node.Inode))
                if (e.Kind == FileExtentKind.Compressed && !e.InMetadata)
                {
                    bytes.AsSpan((int)e.PhysicalAddress, (int)e.PhysicalLength).Fill(0xFF);
                    damaged++;
                }
        Assert.True(damaged > 5);
        using var image = ErofsImage.Open(new Storage.MemorySource(bytes));
        var report = ImageVerifier.Verify(image, new VerifyOptions { MaxProblems = 3 }, TestContext.Current.CancellationToken);
        Assert.False(report.IsClean);
        Assert.Equal(3, report.Problems.Count);
        Assert.True(report.OmittedProblems > 0);
        Assert.All(report.Problems, p => Assert.StartsWith("/text/", p.Path));
    }

    [Fact]
    public void FingerprintsPastTheHashingBudgetAreNotedNotChecked()
    {
        using var image = ErofsImage.Open(Path.Combine(TestCorpus.RequireSharingDirectory(), "fingerprint-a.erofs"));
        var report = ImageVerifier.Verify(image, new VerifyOptions { MaxHashedBytes = 100_000 }, TestContext.Current.CancellationToken);
        Assert.True(report.IsClean);
        Assert.True(report.FingerprintsChecked > 0);
        Assert.True(report.FingerprintsNotChecked > 0);
        Assert.True(report.BytesHashed <= 100_000);
        Assert.Contains(report.Notes, n => n.Contains("hashing budget"));
    }
}

/// <summary>verify on damaged images: always a report (never an exception), in bounded time and allocation.</summary>
public class VerifierFuzzTests
{
    public static TheoryData<string> Images => new() { "plain-4k", "chunk-blob", "lz4", "lz4hc-metabox-zD", "lzma-kitchen-sink", "zstd-48bit", "multi-alg" };

    [Theory]
    [MemberData(nameof(Images))]
    public void MutatedImagesGetAReportNotAnException(string name)
    {
        var seed = Assert.Single(Fuzz.SeedImage.LoadCorpus(TestCorpus.RequireDirectory(), name));
        var rng = new Random(name.Length * 7919);
        int opened = 0, notClean = 0;
        for (int i = 0; i < 40; i++)
        {
            var bytes = Fuzz.Mutator.Mutate(seed, rng, out var description);
            ErofsImage image;
            try
            {
                image = ErofsImage.Open(new Storage.MemorySource(bytes), seed.Devices.Select(d => (Storage.IRandomAccessSource)new Storage.MemorySource(d)).ToList(),
                    new ErofsImageOptions { DecodedCacheBytes = 8 << 20, MetadataCacheBytes = 2 << 20 });
            }
            catch (ErofsException)
            {
                continue; // an image that does not open is verify's "image:" problem (VerifyCommandTests)
            }
            using (image)
            {
                opened++;
                using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
                long before = GC.GetAllocatedBytesForCurrentThread();
                var report = ImageVerifier.Verify(image, new VerifyOptions(), deadline.Token);
                long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
                Assert.True(allocated < 1L << 30, $"{description}: {allocated} bytes allocated");
                Assert.All(report.Problems, p => Assert.DoesNotContain("reader bug", p.Reason));
                if (!report.IsClean) notClean++;
            }
        }
        Assert.True(opened > 0 && notClean > 0, $"{opened} opened, {notClean} not clean");
    }
}
