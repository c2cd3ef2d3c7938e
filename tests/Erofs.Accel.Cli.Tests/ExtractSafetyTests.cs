using System.Diagnostics;
using System.Runtime.InteropServices;
using Erofs.Accel.Testing;

namespace Erofs.Accel.Cli.Tests;

/// <summary>
/// What extraction restores by default and on request (issue 18, points 3, 4 and 11; issue 19's extract verb). Runs
/// as the unprivileged user nobody through setpriv where the point is about a normal user; the root cases run in this
/// (root) process. plain-4k holds every hazard: setuid/setgid/sticky files and directories, device nodes (one
/// 0666), a file capability, owners up to 4000000000, trusted.* and user.* xattrs, ACLs.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public partial class ExtractSafetyTests(HostileImages images) : IClassFixture<HostileImages>
{
    private string SharedCopyOf(string corpusName)
    {
        var copy = Path.Combine(images.Directory, corpusName + ".erofs");
        lock (images)
        {
            if (!File.Exists(copy))
            {
                File.Copy(TestCorpus.ImagePath(corpusName), copy);
                CliProcess.MakeReadableByOthers(copy);
            }
        }
        return copy;
    }

    private static void RequireRoot()
    {
        if (geteuid() != 0) Assert.Skip("needs root (CI runs as root)");
    }

    /// <summary>The parts of plain-4k that hold the hazards (the whole image has 5,000 more files, which add nothing here).</summary>
    private static readonly string[] Hazards = { "/modes", "/dev", "/xattr", "/owners", "/acl" };

    private static string[] Extract(params string[] args) => new[] { "extract" }.Concat(args).Concat(Hazards).ToArray();

    private static string NewDestination(string label) => Path.Combine(Path.GetTempPath(), $"erofs-extract-{label}-{Guid.NewGuid():N}");

    /// <summary>Paths (relative, one per line) that find prints for these tests.</summary>
    private static string[] Find(string dir, params string[] tests)
    {
        var psi = new ProcessStartInfo("find") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(dir);
        foreach (var t in tests) psi.ArgumentList.Add(t);
        psi.ArgumentList.Add("-printf");
        psi.ArgumentList.Add("%P %m %U:%G\\n");
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    private static UnixFileMode Mode(string path) => File.GetUnixFileMode(path);

    [Fact]
    public void AsANormalUserExtractHonoursTheUmaskAndPlantsNoSetuidSetgidOrStickyBits()
    {
        var image = SharedCopyOf("plain-4k");
        var parent = CliProcess.NewSharedTempDirectory("as-nobody");
        var dest = Path.Combine(parent, "out");
        Directory.CreateDirectory(dest);
        chown(dest, CliProcess.Nobody, CliProcess.Nobody);
        File.SetUnixFileMode(dest, (UnixFileMode)0x1C0); // 0700
        try
        {
            var r = CliProcess.Run(new CliProcess.Options { AsNobodyWithUmask = 0x3F /* 077 */ }, Extract("-q", image, dest));
            Assert.True(r.Exit == 0, r.Err);
            Assert.Empty(Find(dest, "-mindepth", "1", "-not", "-type", "l", "-perm", "/7077")); // no special bits, nothing for group/others
            Assert.Empty(Find(dest, "-not", "-user", "nobody"));
            Assert.True(File.Exists(Path.Combine(dest, "modes", "m4755")));
            Assert.Equal((UnixFileMode)0x1C0, Mode(Path.Combine(dest, "modes", "m4755"))); // 4755 & 0777 & ~077
            Assert.Equal((UnixFileMode)0x1C0, Mode(Path.Combine(dest, "modes", "dir1777")));
            Assert.Equal((UnixFileMode)0x1C0, Mode(dest)); // the destination is never chmod-ed
        }
        finally
        {
            TestPaths.DeleteTree(parent);
        }
    }

    [Fact]
    public void AsANormalUserA0000DirectoryHoldingHardlinkedFilesIsExtractedWhole()
    {
        // GNU tar applies directory modes last; fsck.erofs --extract and the old extractor failed half-way
        var image = images.Path("locked-hardlinks");
        var parent = CliProcess.NewSharedTempDirectory("locked");
        var dest = Path.Combine(parent, "out");
        try
        {
            var r = CliProcess.Run(new CliProcess.Options { AsNobodyWithUmask = 0x12 /* 022 */ }, "extract", "-q", image, dest);
            Assert.True(r.Exit == 0, r.Err);
            Assert.Equal("first\n", File.ReadAllText(Path.Combine(dest, "b-later", "link-f1")));
            Assert.Equal("second\n", File.ReadAllText(Path.Combine(dest, "b-later", "link-f2")));
            Assert.Equal((UnixFileMode)0, Mode(Path.Combine(dest, "a-locked")));
            Assert.Equal((UnixFileMode)0, Mode(Path.Combine(dest, "a-locked", "inner-locked")));
            Assert.Contains("b-later/link-f2 644 65534:65534", Find(dest, "-links", "2", "-type", "f"));
        }
        finally
        {
            TestPaths.DeleteTree(parent);
        }
    }

    [Fact]
    public void AsRootDevicesSetuidBitsAndCapabilitiesAreLeftOutByDefault()
    {
        RequireRoot();
        var dest = NewDestination("root-defaults");
        try
        {
            var (exit, output, err) = CliRunner.Run(Extract(TestCorpus.ImagePath("plain-4k"), dest));
            Assert.True(exit == 0, err);
            Assert.Contains("extracted", output);
            Assert.False(Path.Exists(Path.Combine(dest, "dev", "null-like")));
            Assert.False(Path.Exists(Path.Combine(dest, "dev", "sda1-like")));
            Assert.Contains("dev/fifo 640 0:0", Find(dest, "-type", "p")); // FIFOs are harmless
            Assert.Equal((UnixFileMode)0x1ED, Mode(Path.Combine(dest, "modes", "m4755"))); // 0755
            Assert.Equal((UnixFileMode)0x3FF, Mode(Path.Combine(dest, "modes", "m7777"))); // 1777: sticky stays
            Assert.Equal((UnixFileMode)0x3FF, Mode(Path.Combine(dest, "modes", "dir1777")));
            Assert.Equal(-1, Getxattr(Path.Combine(dest, "xattr", "cap-binary"), "security.capability"));
            Assert.True(Getxattr(Path.Combine(dest, "xattr", "binary"), "user.bin") > 0);
            Assert.Contains("owners/u4000000000-g4000000001 644 4000000000:4000000001", Find(dest, "-path", "*/owners/*", "-type", "f"));
            Assert.Contains("device nodes not created (--devices creates them)", err);
            Assert.Contains("setuid/setgid bits not restored", err);
        }
        finally
        {
            TestPaths.DeleteTree(dest);
        }
    }

    [Fact]
    public void AsRootTheOptInsRestoreDevicesSetuidBitsAndCapabilities()
    {
        RequireRoot();
        var dest = NewDestination("root-opt-in");
        try
        {
            var (exit, _, err) = CliRunner.Run(Extract("-q", "--same-permissions", "--devices", "--xattrs", TestCorpus.ImagePath("plain-4k"), dest));
            Assert.True(exit == 0, err);
            Assert.Contains("dev/null-like 666 0:0", Find(dest, "-type", "c"));
            Assert.Equal((UnixFileMode)0x9ED, Mode(Path.Combine(dest, "modes", "m4755"))); // 4755
            Assert.Equal((UnixFileMode)0xFFF, Mode(Path.Combine(dest, "modes", "m7777")));
            Assert.True(Getxattr(Path.Combine(dest, "xattr", "cap-binary"), "security.capability") > 0);
        }
        finally
        {
            TestPaths.DeleteTree(dest);
        }
    }

    [Fact]
    public void AsRootNoSameOwnerNoSamePermissionsAndNoXattrsWriteFilesAsRootCreatesThem()
    {
        RequireRoot();
        var dest = NewDestination("root-opt-out");
        uint umask = CurrentUmask();
        try
        {
            var (exit, _, err) = CliRunner.Run(Extract("-q", "--no-same-owner", "--no-same-permissions", "--no-xattrs", TestCorpus.ImagePath("plain-4k"), dest));
            Assert.True(exit == 0, err);
            Assert.Empty(Find(dest, "-not", "-user", "root"));
            Assert.Equal((UnixFileMode)(0x1ED & ~umask), Mode(Path.Combine(dest, "modes", "m6755")));
            Assert.Equal((UnixFileMode)(0x1FF & ~umask), Mode(Path.Combine(dest, "modes", "dir1777")));
            Assert.Equal(-1, Getxattr(Path.Combine(dest, "xattr", "binary"), "user.bin"));
            Assert.Equal(-1, Getxattr(Path.Combine(dest, "acl", "file"), "system.posix_acl_access"));
        }
        finally
        {
            TestPaths.DeleteTree(dest);
        }
    }

    [Fact]
    public void XattrsIncludeRestoresOnlyTheNamesThatMatch()
    {
        RequireRoot();
        var dest = NewDestination("xattrs-include");
        try
        {
            var (exit, _, err) = CliRunner.Run(Extract("-q", "--xattrs-include", "security.*", TestCorpus.ImagePath("plain-4k"), dest));
            Assert.True(exit == 0, err);
            Assert.True(Getxattr(Path.Combine(dest, "xattr", "cap-binary"), "security.capability") > 0);
            Assert.Equal(-1, Getxattr(Path.Combine(dest, "xattr", "binary"), "user.bin"));
        }
        finally
        {
            TestPaths.DeleteTree(dest);
        }
    }

    [Theory]
    [InlineData("--overwrite")]
    [InlineData("--force")]
    public void OverwriteNeverChangesTheDestinationItself(string flag)
    {
        RequireRoot();
        var dest = NewDestination("keep-dest");
        Directory.CreateDirectory(dest);
        File.WriteAllText(Path.Combine(dest, "mine.txt"), "keep me");
        chown(dest, CliProcess.Nobody, CliProcess.Nobody);
        File.SetUnixFileMode(dest, (UnixFileMode)0x1C0);
        try
        {
            var (exit, _, err) = CliRunner.Run(Extract("-q", flag, TestCorpus.ImagePath("plain-4k"), dest));
            Assert.True(exit == 0, err);
            Assert.Equal((UnixFileMode)0x1C0, Mode(dest));
            Assert.Equal(" 700 65534:65534", Find(dest, "-maxdepth", "0")[0]);
            Assert.Equal("keep me", File.ReadAllText(Path.Combine(dest, "mine.txt")));
            Assert.Equal(-1, Getxattr(dest, "user.root")); // the image root's xattr is not put on the destination
        }
        finally
        {
            TestPaths.DeleteTree(dest);
        }
    }

    [Fact]
    public void TheRootDirectoryIsRefusedEvenWithOverwrite()
    {
        // as nobody, so that a regression cannot write into / of the machine running the tests
        var image = SharedCopyOf("plain-4k");
        var parent = CliProcess.NewSharedTempDirectory("slash");
        var viaLink = Path.Combine(parent, "root-link");
        File.CreateSymbolicLink(viaLink, "/");
        try
        {
            foreach (var dest in new[] { "/", viaLink, "/tmp/.." })
            {
                var r = CliProcess.Run(new CliProcess.Options { AsNobodyWithUmask = 0x12 }, "extract", "--overwrite", "--force", image, dest);
                Assert.Equal(1, r.Exit);
                var line = Assert.Single(r.Err.Trim().Split('\n'));
                Assert.Contains("refusing to extract into the root directory", line);
            }
        }
        finally
        {
            TestPaths.DeleteTree(parent);
        }
    }

    [Fact]
    public void NamedPathsAreExtractedWithTheirParentsAndNothingElse()
    {
        RequireRoot();
        var tool = Path.GetFullPath(Path.Combine(TestCorpus.RequireDirectory(), "..", "tools", "erofs-manifest"));
        if (!File.Exists(tool) || !File.Exists("/usr/bin/python3")) Assert.Skip("erofs-manifest and python3 are needed");
        var dest = NewDestination("paths");
        try
        {
            var (exit, _, err) = CliRunner.Run("extract", "-q", "-p", "--xattrs", TestCorpus.ImagePath("plain-4k"), dest, "/modes", "links/dir/hl-3.txt", "/modes/m0644");
            Assert.True(exit == 0, err);
            var psi = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true };
            foreach (var a in new[] { tool, "--no-dir-size", dest }) psi.ArgumentList.Add(a);
            using var p = Process.Start(psi)!;
            var got = p.StandardOutput.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(2).Select(l => l.Split('\t')).ToList();
            p.WaitForExit();
            var expected = File.ReadAllLines(TestCorpus.ManifestPath("plain-4k")).Skip(1).Select(l => l.Split('\t'))
                .Where(f => f[0] is "/links" or "/links/dir" or "/links/dir/hl-3.txt" || f[0] == "/modes" || f[0].StartsWith("/modes/")).ToList();
            Assert.Equal(expected.Select(f => f[0]), got.Select(f => f[0]));
            // type, mode, owner, size (files), mtime, target, rdev, digest, xattrs; nlink and link differ (one member of the group)
            foreach (var (e, g) in expected.Zip(got))
                foreach (int i in new[] { 1, 2, 3, 4, 7, 8, 9, 10, 11 })
                    Assert.True(e[i] == g[i], $"{e[0]} field {i + 1}: want {e[i]}, got {g[i]}");
        }
        finally
        {
            TestPaths.DeleteTree(dest);
        }
    }

    [Fact]
    public void ANamedPathThatIsNotInTheImageIsOneLineAndExitOne()
    {
        var dest = NewDestination("missing-path");
        try
        {
            var (exit, _, err) = CliRunner.Run("extract", TestCorpus.ImagePath("plain-4k"), dest, "/no/such/thing");
            Assert.Equal(1, exit);
            var line = Assert.Single(err.Trim().Split('\n'));
            Assert.Contains("/no: no such file or directory in the image", line);
            Assert.False(Directory.Exists(dest));
        }
        finally
        {
            TestPaths.DeleteTree(dest);
        }
    }

    [Fact]
    public void NoPreserveWritesPlainFilesAsTheUserWouldCreateThem()
    {
        RequireRoot();
        var dest = NewDestination("no-preserve");
        uint umask = CurrentUmask();
        try
        {
            var (exit, _, err) = CliRunner.Run(Extract("-q", "--no-preserve", TestCorpus.ImagePath("plain-4k"), dest));
            Assert.True(exit == 0, err);
            Assert.Empty(Find(dest, "-not", "-user", "root"));
            Assert.Equal((UnixFileMode)(0x1ED & ~umask), Mode(Path.Combine(dest, "modes", "m4755")));
            Assert.Equal(-1, Getxattr(Path.Combine(dest, "xattr", "binary"), "user.bin"));
            Assert.False(Path.Exists(Path.Combine(dest, "dev", "null-like")));
            // modification times are the time of extraction, not the image's (2023-11-14 for most of plain-4k)
            Assert.True(File.GetLastWriteTimeUtc(Path.Combine(dest, "modes", "m0644")) > DateTime.UtcNow.AddHours(-1));
        }
        finally
        {
            TestPaths.DeleteTree(dest);
        }
    }

    [Fact]
    public void TheProgressLineIsRewrittenInPlaceAndErasedAtTheEnd()
    {
        var w = new StringWriter();
        var progress = new Commands.TerminalProgress(w, TimeSpan.Zero) { Width = 60 };
        progress.Report(new Core.Export.ExtractProgress(10, 7, 3 << 20, "/a/short/path"));
        progress.Report(new Core.Export.ExtractProgress(20, 9, 5 << 20, "/a/" + new string('x', 100)));
        progress.Clear();
        var lines = w.ToString().Split("\r\x1b[K");
        Assert.Equal(new[] { "", "extracting: 10 entries, 7 files, 3.0 MiB  /a/short/path" }, lines[..2]);
        Assert.Equal(59, lines[2].Length);
        Assert.EndsWith("...", lines[2]);
        Assert.Equal("", lines[3]);
        var quiet = new StringWriter();
        var late = new Commands.TerminalProgress(quiet, TimeSpan.FromHours(1));
        late.Report(new Core.Export.ExtractProgress(1, 1, 1, "/x"));
        late.Clear();
        Assert.Equal("", quiet.ToString()); // short extractions show nothing
    }

    [Fact]
    public void HelpStatesTheDefaultsAndTheOptions()
    {
        var (exit, output, _) = CliRunner.Run("extract", "--help");
        Assert.Equal(0, exit);
        foreach (var s in new[] { "as a normal user", "as root", "security.*", "--no-same-owner", "--no-same-permissions", "--devices",
                     "--xattrs-include", "--no-preserve", "--overwrite", "--max-file-bytes", "is always refused" })
            Assert.Contains(s, output);
    }

    private static uint CurrentUmask()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith("Umask:")) return Convert.ToUInt32(line[6..].Trim(), 8);
        return 0x12;
    }

    /// <summary>The xattr's size, or -1 when the file has none of that name.</summary>
    private static long Getxattr(string path, string name) => lgetxattr(path, name, IntPtr.Zero, 0);

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint lgetxattr(string path, string name, IntPtr value, nint size);

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int chown(string path, uint owner, uint group);

    [LibraryImport("libc")]
    private static partial uint geteuid();
}
