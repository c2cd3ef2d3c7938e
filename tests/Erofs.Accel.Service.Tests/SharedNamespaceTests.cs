using System.Diagnostics;
using Erofs.Accel.Service.Control;
using Erofs.Accel.Testing;

namespace Erofs.Accel.Service.Tests;

/// <summary>
/// The shared namespace on a real FUSE mount: each image's folder looks exactly like a mount of the image alone
/// (the corpus manifests), equal fingerprinted files are one inode with one page-cache copy, images come and go while
/// mounted, and a corrupt image fails alone.
/// </summary>
[Collection(ServiceCollection.Name)]
public class SharedNamespaceTests
{
    [Fact]
    public void EveryCorpusImageFolderEqualsItsManifest()
    {
        TestCorpus.RequireDirectory();
        using var daemon = new TestDaemon(withNamespace: true, watchdog: TimeSpan.FromMinutes(15));
        var names = TestCorpus.ImageNames();
        foreach (var name in names)
        {
            var attached = daemon.Attach(TestCorpus.ImagePath(name), name, TestCorpus.ExtraDevices(name).ToArray());
            Assert.True(attached.Ok, attached.Error);
        }
        Assert.Equal(names.OrderBy(n => n, StringComparer.Ordinal), Directory.GetDirectories(daemon.Root!).Select(Path.GetFileName).OrderBy(n => n, StringComparer.Ordinal));
        var failures = new List<string>();
        foreach (var name in names)
        {
            if (CorpusManifests.Expected(name) != CorpusManifests.ManifestOf(Path.Combine(daemon.Root!, name))) failures.Add(name);
        }
        Assert.True(failures.Count == 0, "folders that differ from their manifest: " + string.Join(", ", failures));
    }

    [Fact]
    public void FingerprintedFilesOfTwoImagesAreOneInodeAndOnePageCacheCopy()
    {
        var sharing = TestCorpus.RequireSharingDirectory();
        using var daemon = new TestDaemon(withNamespace: true);
        Assert.True(daemon.Attach(Path.Combine(sharing, "fingerprint-a.erofs"), "a").Ok);
        Assert.True(daemon.Attach(Path.Combine(sharing, "fingerprint-b.erofs"), "b").Ok);
        var a = Path.Combine(daemon.Root!, "a");
        var b = Path.Combine(daemon.Root!, "b");

        // first, while nothing is cached: reading a shared file through one image fills the page cache of the
        // other image's path; reading a changed file does not
        var pair = "large/large-text.log";
        File.ReadAllBytes(Path.Combine(a, pair));
        Assert.Equal(new FileInfo(Path.Combine(b, pair)).Length, CachedBytes(Path.Combine(b, pair)), 4096.0);
        File.ReadAllBytes(Path.Combine(a, "text/doc002.txt"));
        Assert.Equal(0, CachedBytes(Path.Combine(b, "text/doc002.txt")));

        // every non-empty regular file is one inode in both, except the two the corpus README names
        var notShared = new List<string>();
        int shared = 0;
        foreach (var file in Directory.EnumerateFiles(b, "*", SearchOption.AllDirectories))
        {
            if (file.Contains('\uFFFD')) continue; // names that are not UTF-8 do not survive the round trip through .NET
            var info = Stat(file);
            if (!info.IsRegular || info.Size == 0) continue;
            var relative = Path.GetRelativePath(b, file);
            var other = Path.Combine(a, relative);
            if (File.Exists(other) && Stat(other).Inode == info.Inode) shared++;
            else notShared.Add("/" + relative);
        }
        Assert.Equal(new[] { "/text/CHANGED-b.txt", "/text/doc002.txt" }, notShared.OrderBy(p => p, StringComparer.Ordinal));
        Assert.True(shared > 300, $"{shared} shared files");

        // each folder is exactly its image
        Assert.Equal(File.ReadAllText(Path.Combine(sharing, "fingerprint-a.manifest")), CorpusManifests.ManifestOf(a));
        Assert.Equal(File.ReadAllText(Path.Combine(sharing, "fingerprint-b.manifest")), CorpusManifests.ManifestOf(b));

        var stats = daemon.Call(new ControlRequest { Op = ControlOperations.Stats }).Stats!;
        Assert.True(stats.Sharing.NodesAcrossImages > 300, $"{stats.Sharing.NodesAcrossImages} nodes across images");
    }

    [Fact]
    public void WithoutFingerprintsNothingIsShared()
    {
        TestCorpus.RequireDirectory();
        using var daemon = new TestDaemon(withNamespace: true);
        // two images of the same tree, no fingerprints
        Assert.True(daemon.Attach(TestCorpus.ImagePath("lz4"), "x").Ok);
        Assert.True(daemon.Attach(TestCorpus.ImagePath("zstd"), "y").Ok);
        var x = Path.Combine(daemon.Root!, "x", "text", "doc001.txt");
        var y = Path.Combine(daemon.Root!, "y", "text", "doc001.txt");
        Assert.Equal(File.ReadAllBytes(x), File.ReadAllBytes(y));
        Assert.NotEqual(Stat(x).Inode, Stat(y).Inode);
        Assert.Equal(0, daemon.Call(new ControlRequest { Op = ControlOperations.Stats }).Stats!.Sharing.SharedNodes);
    }

    [Fact]
    public void EveryAttachedImageUsesTheDaemonsOneDecodedCache()
    {
        TestCorpus.RequireDirectory();
        using var daemon = new TestDaemon(withNamespace: true);
        foreach (var name in new[] { "lz4", "zstd", "lzma-kitchen-sink" })
            Assert.True(daemon.Attach(TestCorpus.ImagePath(name), name).Ok);
        File.ReadAllBytes(Path.Combine(daemon.Root!, "zstd", "text", "doc001.txt"));
        var cache = daemon.Call(new ControlRequest { Op = ControlOperations.Stats }).Stats!.DecodedCache;
        // one budget for all of them (not one cache per image, whose budgets would add up)
        Assert.True(cache.SharedAcrossImages);
        Assert.Equal(daemon.Daemon.Options.DecodedCacheBytes, cache.CapacityBytes);
    }

    [Fact]
    public void ImagesAppearAndDisappearWhileMounted()
    {
        TestCorpus.RequireDirectory();
        using var daemon = new TestDaemon(withNamespace: true);
        var folder = Path.Combine(daemon.Root!, "late");
        // the kernel caches "no such name" for a day; attach must make it forget
        Assert.False(Directory.Exists(folder));
        Assert.DoesNotContain("late", Directory.GetDirectories(daemon.Root!).Select(Path.GetFileName));
        Assert.True(daemon.Attach(TestCorpus.ImagePath("lz4"), "late").Ok);
        Assert.True(File.Exists(Path.Combine(folder, "text", "doc001.txt")));
        Assert.Contains("late", Directory.GetDirectories(daemon.Root!).Select(Path.GetFileName));

        var taken = daemon.Attach(TestCorpus.ImagePath("zstd"), "late");
        Assert.False(taken.Ok);
        Assert.Contains("taken", taken.Error);
        Assert.Equal(ControlErrorKinds.Usage, daemon.Attach(TestCorpus.ImagePath("zstd"), "a/b").ErrorKind);

        // busy while a file is open; --force detaches anyway
        using (var open = File.OpenRead(Path.Combine(folder, "text", "doc001.txt")))
        {
            var busy = daemon.Call(new ControlRequest { Op = ControlOperations.Detach, Name = "late" });
            Assert.False(busy.Ok);
            Assert.Equal(ControlErrorKinds.Busy, busy.ErrorKind);
            Assert.Contains($"pid {Environment.ProcessId}", busy.Error);
            Assert.Contains("doc001.txt", busy.Error);
        }
        Assert.True(daemon.Call(new ControlRequest { Op = ControlOperations.Detach, Name = "late" }).Ok);
        Assert.False(Directory.Exists(folder));
        Assert.DoesNotContain("late", Directory.GetDirectories(daemon.Root!).Select(Path.GetFileName));

        Assert.True(daemon.Attach(TestCorpus.ImagePath("zstd"), "late").Ok);
        using var stillOpen = File.OpenRead(Path.Combine(folder, "text", "doc001.txt"));
        Assert.True(daemon.Call(new ControlRequest { Op = ControlOperations.Detach, Name = "late", Force = true }).Ok);
        Assert.ThrowsAny<IOException>(() => stillOpen.ReadExactly(new byte[16]));
    }

    [Fact]
    public void ACorruptImageFailsAloneAndIsNamedInTheLog()
    {
        TestCorpus.RequireDirectory();
        using var daemon = new TestDaemon(withNamespace: true);
        var corrupt = Path.Combine(daemon.Folder, "corrupt.erofs");
        var bytes = File.ReadAllBytes(TestCorpus.ImagePath("lz4"));
        // wreck the data blocks (the metadata stays readable): file contents fail to decode
        using (var image = Core.ErofsImage.Open(TestCorpus.ImagePath("lz4")))
        {
            var inode = image.Resolve("/large/large-text.log");
            foreach (var extent in image.EnumerateExtents(inode).Where(e => e.Kind == Core.Data.ExtentKind.Compressed && !e.InMetadata && e.PhysicalLength > 0))
                Random.Shared.NextBytes(bytes.AsSpan((int)extent.PhysicalAddress, (int)extent.PhysicalLength));
        }
        File.WriteAllBytes(corrupt, bytes);
        Assert.True(daemon.Attach(corrupt, "bad").Ok);
        Assert.True(daemon.Attach(TestCorpus.ImagePath("zstd"), "good").Ok);

        var e = Assert.ThrowsAny<IOException>(() => File.ReadAllBytes(Path.Combine(daemon.Root!, "bad", "large", "large-text.log")));
        Assert.Contains("Input/output error", e.Message);
        Assert.Contains(daemon.Log.Lines, l => l.Contains("image bad (" + corrupt + ")") && l.Contains("answered EIO"));
        Assert.Equal(
            File.ReadAllBytes(Path.Combine(daemon.Root!, "bad", "text", "doc001.txt")),
            File.ReadAllBytes(Path.Combine(daemon.Root!, "good", "text", "doc001.txt")));
        var stats = daemon.Call(new ControlRequest { Op = ControlOperations.Stats }).Stats!;
        Assert.True(stats.Images.Single(i => i.Name == "bad").Errors > 0);
        Assert.Equal(0, stats.Images.Single(i => i.Name == "good").Errors);

        // a truncated image: its metadata still there, it attaches and fails on the file whose data is gone
        var original = File.ReadAllBytes(TestCorpus.ImagePath("lz4"));
        long dataStart;
        using (var image = Core.ErofsImage.Open(TestCorpus.ImagePath("lz4")))
            dataStart = image.EnumerateExtents(image.Resolve("/large/large-text.log")).First(x => x.Kind == Core.Data.ExtentKind.Compressed).PhysicalAddress;
        var truncated = Path.Combine(daemon.Folder, "truncated.erofs");
        File.WriteAllBytes(truncated, original.AsSpan(0, (int)dataStart + 100).ToArray());
        Assert.True(daemon.Attach(truncated, "cut").Ok);
        Assert.ThrowsAny<IOException>(() => File.ReadAllBytes(Path.Combine(daemon.Root!, "cut", "large", "large-text.log")));
        Assert.Contains(daemon.Log.Lines, l => l.Contains("image cut (" + truncated + ")") && l.Contains("truncated?"));
        Assert.Equal(CorpusManifests.Expected("zstd"), CorpusManifests.ManifestOf(Path.Combine(daemon.Root!, "good")));

        // one cut inside its metadata cannot be attached at all, with a reason that names it
        var stub = Path.Combine(daemon.Folder, "stub.erofs");
        File.WriteAllBytes(stub, original.AsSpan(0, 1000).ToArray());
        var refused = daemon.Attach(stub, "short");
        Assert.False(refused.Ok);
        Assert.Contains(stub, refused.Error);
        // detaching frees the image: nothing of the daemon holds it any more
        var freed = WeakReferenceTo(daemon, "bad");
        Assert.True(daemon.Call(new ControlRequest { Op = ControlOperations.Detach, Name = "bad" }).Ok);
        Assert.True(Native.WaitUntil(() =>
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            return !freed.IsAlive;
        }, TimeSpan.FromSeconds(10)), "the detached image is still referenced");
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static WeakReference WeakReferenceTo(TestDaemon daemon, string name) =>
        new(daemon.Daemon.Namespace.Images.Single(i => i.Name == name).Image);

    internal readonly record struct FileStat(ulong Inode, long Size, bool IsRegular);

    internal static FileStat Stat(string path)
    {
        Assert.Equal(0, Interop.Libc.TryGetFileStatus(path, out var status, Interop.Libc.AT_SYMLINK_NOFOLLOW));
        return new FileStat(status.Inode, (long)status.Size, (status.Mode & 0xF000) == 0x8000);
    }

    /// <summary>Bytes of the file in the page cache (fincore, util-linux).</summary>
    internal static long CachedBytes(string path)
    {
        var psi = new ProcessStartInfo("fincore") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "--bytes", "--noheadings", "--output", "RES", path }) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var text = p.StandardOutput.ReadToEnd().Trim();
        p.WaitForExit();
        return long.Parse(text);
    }
}
