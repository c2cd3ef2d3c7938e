using System.Diagnostics;
using System.Text;
using Erofs.Accel.Testing;
using K = Erofs.Accel.Testing.CraftedImage.Kind;

namespace Erofs.Accel.Cli.Tests;

/// <summary>
/// Images made by the tests to stress memory and time: nesting at the reader's limit with the longest names, a wide
/// directory, long symlinks, sparse files declaring huge sizes. Those a real tree can hold are made by mkfs.erofs
/// (Debian's 1.5, installed by scripts/install-deps.sh --test); the rest (4,096 levels of 255-byte names, past PATH_MAX,
/// and 2^50-byte files) are written by <see cref="CraftedImage"/>. Every image lies in a folder others can read.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class HostileImages : IDisposable
{
    public const int DeepLevels = 4096;
    public const int DeepHardlinks = 16;
    public const int WideFiles = 10_000;
    public const int LongSymlinks = 500;

    public string Directory { get; } = CliProcess.NewSharedTempDirectory("hostile-images");

    private readonly Dictionary<string, string> _made = new();
    private readonly object _lock = new();

    public string Path(string name)
    {
        lock (_lock)
        {
            if (_made.TryGetValue(name, out var made)) return made;
            var path = System.IO.Path.Combine(Directory, name + ".erofs");
            switch (name)
            {
                case "deep": Deep(path); break;
                case "wide-long-symlinks": WideWithLongSymlinks(path); break;
                case "sparse": Sparse(path); break;
                case "sparse-2^50": CraftedImage.Write(OneFile("s50", CraftedImage.Sparse(1L << 50, 31)), path); break;
                case "sparse-2^34": CraftedImage.Write(OneFile("s34", CraftedImage.Sparse(1L << 34, 22)), path); break;
                case "holes-of-one-size": HolesOfOneSize(path); break;
                case "locked-hardlinks": LockedHardlinks(path); break;
                default: throw new ArgumentException(name);
            }
            CliProcess.MakeReadableByOthers(path);
            _made[name] = path;
            return path;
        }
    }

    private static CraftedImage.Node OneFile(string name, CraftedImage.Node file)
    {
        var root = CraftedImage.Directory();
        root.Add(name, file);
        return root;
    }

    /// <summary>4,096 nested directories of 255-byte names (a 1 MiB path), a file at the bottom hardlinked from the root.</summary>
    private static void Deep(string path)
    {
        var root = CraftedImage.Directory();
        var dir = root;
        for (int i = 0; i < DeepLevels; i++)
            dir = dir.Add(Encoding.ASCII.GetBytes((i % 10) + new string('d', 254)), CraftedImage.Directory());
        for (int i = 0; i < DeepHardlinks; i++)
        {
            var file = dir.Add($"bottom-{i}", CraftedImage.File($"bottom file {i}\n"));
            root.Add($"link-{i}", file);
        }
        CraftedImage.Write(root, path);
    }

    /// <summary>One directory of 10,000 files with 250-byte names and 500 symlinks of 4,095 bytes, by mkfs.erofs.</summary>
    private static void WideWithLongSymlinks(string path)
    {
        var tree = TestPaths.NewTempDirectory("wide-tree");
        try
        {
            var wide = System.IO.Path.Combine(tree, "wide");
            System.IO.Directory.CreateDirectory(wide);
            for (int i = 0; i < WideFiles; i++)
                File.WriteAllText(System.IO.Path.Combine(wide, $"{i:D6}-" + new string('w', 243)), i % 100 == 0 ? $"file {i}\n" : "");
            var links = System.IO.Path.Combine(tree, "links");
            System.IO.Directory.CreateDirectory(links);
            for (int i = 0; i < LongSymlinks; i++)
                File.CreateSymbolicLink(System.IO.Path.Combine(links, $"s{i:D4}"), $"{i:D4}/" + string.Concat(Enumerable.Repeat(new string('t', 99) + "/", 40)) + new string('t', 90));
            Mkfs(path, tree);
        }
        finally
        {
            TestPaths.DeleteTree(tree);
        }
    }

    /// <summary>Two 256 MiB chunk-based files, one with a few data blocks among its holes and one all holes.</summary>
    private static void Sparse(string path)
    {
        var root = CraftedImage.Directory();
        root.Add("mostly-holes", CraftedImage.Sparse(1L << 28, 0, new Dictionary<long, byte> { [0] = 0x41, [1000] = 0x42, [(1 << 16) - 1] = 0x43 }));
        root.Add("all-holes", CraftedImage.Sparse(1L << 28, 8));
        CraftedImage.Write(root, path);
    }

    /// <summary>256 files of 1 GiB that are one hole each: 256 GiB to hash unless a hole's digest is computed once per size.</summary>
    private static void HolesOfOneSize(string path)
    {
        var root = CraftedImage.Directory();
        for (int i = 0; i < 256; i++) root.Add($"hole-{i:D3}", CraftedImage.Sparse(1L << 30, 18));
        CraftedImage.Write(root, path);
    }

    /// <summary>Mode-0000 directories holding files that are hardlinked from later directories (GNU tar's test case).</summary>
    private static void LockedHardlinks(string path)
    {
        var root = CraftedImage.Directory();
        var locked = root.Add("a-locked", CraftedImage.Directory(0));
        var inner = locked.Add("inner-locked", CraftedImage.Directory(0));
        var f1 = locked.Add("f1", CraftedImage.File("first\n"));
        var f2 = inner.Add("f2", CraftedImage.File("second\n"));
        var later = root.Add("b-later", CraftedImage.Directory());
        later.Add("link-f1", f1);
        later.Add("link-f2", f2);
        CraftedImage.Write(root, path);
    }

    public static void Mkfs(string image, string tree)
    {
        if (!File.Exists("/usr/bin/mkfs.erofs")) Assert.Skip("mkfs.erofs is not installed (scripts/install-deps.sh --test installs erofs-utils)");
        var psi = new ProcessStartInfo("/usr/bin/mkfs.erofs") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "-T1700000000", image, tree }) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        p.StandardOutput.ReadToEnd();
        Assert.True(p.WaitForExit(300_000), "mkfs.erofs timed out");
        Assert.True(p.ExitCode == 0, "mkfs.erofs failed: " + err.Result);
    }

    public void Dispose() => TestPaths.DeleteTree(Directory);
}
