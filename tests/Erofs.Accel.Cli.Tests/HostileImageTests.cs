using Erofs.Accel.Testing;

namespace Erofs.Accel.Cli.Tests;

/// <summary>
/// manifest and extract on images made to exhaust memory or time (issue 18, points 5 and 6). Each run is a child
/// process with its heap capped at <see cref="HeapLimit"/> and its peak resident memory checked against the bound
/// documented in docs/robustness.md; runs that used to take days have a generous guard time.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class HostileImageTests(HostileImages images, ITestOutputHelper log) : IClassFixture<HostileImages>
{
    /// <summary>
    /// The managed heap the runs get (DOTNET_GCHeapHardLimit): the documented bound on a walk's own data (32 MiB plus
    /// per-inode bytes) with room to spare; these uncompressed images leave the caches idle. It also makes the
    /// garbage collector's allocation budget, which otherwise grows with the CPU's cache, the same on every machine,
    /// and a run that breaks the bound fail fast (OutOfMemoryException, exit 70) instead of eating the machine.
    /// </summary>
    private const long HeapLimit = 96L << 20;

    /// <summary>The documented peak RSS bound (docs/robustness.md, "Memory bound") with the default caches and threads.</summary>
    private const long PeakRssBoundMiB = 256;

    public static TheoryData<string> MemoryImages => new() { "deep", "wide-long-symlinks", "sparse" };

    [Theory]
    [MemberData(nameof(MemoryImages))]
    public void ManifestStaysWithinTheMemoryBound(string name)
    {
        var image = images.Path(name);
        var r = CliProcess.Run(new CliProcess.Options { HeapLimitBytes = HeapLimit, DiscardOutput = true }, "manifest", image);
        log.WriteLine($"manifest {name}: exit {r.Exit}, peak RSS {r.PeakRssMiB} MiB");
        Assert.True(r.Exit == 0, $"exit {r.Exit}: {r.Err}");
        Assert.InRange(r.PeakRssMiB, 1, PeakRssBoundMiB);
    }

    [Theory]
    [MemberData(nameof(MemoryImages))]
    public void ExtractStaysWithinTheMemoryBound(string name)
    {
        var image = images.Path(name);
        var dest = Path.Combine(Path.GetTempPath(), $"erofs-hostile-{name}-{Guid.NewGuid():N}");
        try
        {
            var r = CliProcess.Run(new CliProcess.Options { HeapLimitBytes = HeapLimit }, "extract", "-q", image, dest);
            log.WriteLine($"extract {name}: exit {r.Exit}, peak RSS {r.PeakRssMiB} MiB");
            Assert.True(r.Exit == 0, $"exit {r.Exit}: {r.Err}");
            Assert.InRange(r.PeakRssMiB, 1, PeakRssBoundMiB);
            if (name == "deep") CheckDeepTree(dest);
        }
        finally
        {
            TestPaths.DeleteTree(dest);
        }
    }

    /// <summary>The bottom of the deep tree (past PATH_MAX) is there, and the root's hardlinks reach it.</summary>
    private static void CheckDeepTree(string dest)
    {
        for (int i = 0; i < HostileImages.DeepHardlinks; i++)
            Assert.Equal($"bottom file {i}\n", File.ReadAllText(Path.Combine(dest, $"link-{i}")));
        var psi = new System.Diagnostics.ProcessStartInfo("find") { RedirectStandardOutput = true };
        foreach (var a in new[] { dest, "-name", "bottom-0", "-links", "2" }) psi.ArgumentList.Add(a);
        using var find = System.Diagnostics.Process.Start(psi)!;
        var found = find.StandardOutput.ReadToEnd().Trim();
        find.WaitForExit();
        Assert.Equal(HostileImages.DeepLevels + 1, found.Split('/').Length - dest.Split('/').Length);
    }

    [Fact]
    public void AFileDeclaring2To50BytesStopsTheManifestAtTheDefaultLimit()
    {
        var r = CliProcess.Run(new CliProcess.Options { TimeoutSeconds = 120 }, "manifest", images.Path("sparse-2^50"));
        Assert.False(r.TimedOut, "manifest of a 2^50-byte sparse file ran for two minutes");
        Assert.Equal(1, r.Exit);
        var line = Assert.Single(r.Err.Trim().Split('\n'));
        Assert.Contains("/s50", line);
        Assert.Contains("1125899906842624 bytes", line);
        Assert.Contains("--max-file-bytes", line);
    }

    [Fact]
    public void AFileDeclaring2To50BytesStopsTheExtractionAtTheDefaultLimit()
    {
        var dest = Path.Combine(Path.GetTempPath(), $"erofs-hostile-s50-{Guid.NewGuid():N}");
        try
        {
            var r = CliProcess.Run(new CliProcess.Options { TimeoutSeconds = 120 }, "extract", "-q", images.Path("sparse-2^50"), dest);
            Assert.False(r.TimedOut, "extracting a 2^50-byte sparse file ran for two minutes");
            Assert.Equal(1, r.Exit);
            var line = Assert.Single(r.Err.Trim().Split('\n'));
            Assert.Contains("/s50", line);
            Assert.Contains("--max-file-bytes", line);
            Assert.False(File.Exists(Path.Combine(dest, "s50")));
        }
        finally
        {
            TestPaths.DeleteTree(dest);
        }
    }

    [Fact]
    public void TheTotalLimitStopsAtTheFileThatCrossesIt()
    {
        var (exit, _, err) = CliRunner.Run("manifest", "--max-total-bytes", "384M", images.Path("sparse"));
        Assert.Equal(1, exit);
        var line = Assert.Single(err.Trim().Split('\n'));
        Assert.Contains("/mostly-holes", line); // sorted after /all-holes: its 256 MiB cross 384 MiB
        Assert.Contains("--max-total-bytes", line);
    }

    [Fact]
    public void TheTimeLimitStopsALongHashWithOneLine()
    {
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var (exit, _, err) = CliRunner.Run("manifest", "--max-file-bytes", "0", "--timeout", "0.5", images.Path("sparse-2^34"));
        Assert.Equal(1, exit);
        var line = Assert.Single(err.Trim().Split('\n'));
        Assert.Contains("/s34", line);
        Assert.Contains("time limit of 0.5 s", line);
        Assert.Contains("--timeout", line);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(60), $"stopping took {sw.Elapsed}");
    }

    [Fact]
    public void FilesThatAreOneHoleAreHashedOncePerSize()
    {
        // 256 files of 1 GiB of holes: 256 GiB of zeros to hash one by one (minutes), one 1 GiB hash when remembered
        var r = CliProcess.Run(new CliProcess.Options { TimeoutSeconds = 150 }, "manifest", "--max-total-bytes", "0", images.Path("holes-of-one-size"));
        Assert.False(r.TimedOut, "hashing 256 hole files of one size took over 150 s: each was hashed again");
        Assert.True(r.Exit == 0, r.Err);
        var digests = r.Out.Split('\n').Skip(1).Where(l => l.StartsWith("/hole-")).Select(l => l.Split('\t')[10]).ToList();
        Assert.Equal(256, digests.Count);
        // sha256 of 2^30 zero bytes (head -c 1G /dev/zero | sha256sum)
        Assert.All(digests, d => Assert.Equal(ZeroDigest1GiB, d));
    }

    private const string ZeroDigest1GiB = "49bc20df15e412a64472421e13fe86ff1c5165e18b2afccf160d4dc19fe68a14";

    [Fact]
    public void HolesHashLikeTheZerosTheyReadAs()
    {
        var (exit, output, err) = CliRunner.Run("manifest", images.Path("sparse"));
        Assert.True(exit == 0, err);
        using var image = Core.ErofsImage.Open(images.Path("sparse"));
        foreach (var name in new[] { "mostly-holes", "all-holes" })
        {
            var inode = image.Resolve("/" + name);
            using var h = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
            var buf = new byte[1 << 20];
            for (long off = 0; off < (long)inode.Size; off += buf.Length)
            {
                int n = image.Read(inode, off, buf);
                h.AppendData(buf, 0, n);
            }
            var line = output.Split('\n').Single(l => l.StartsWith("/" + name + "\t"));
            Assert.Equal(Convert.ToHexStringLower(h.GetHashAndReset()), line.Split('\t')[10]);
        }
    }
}
