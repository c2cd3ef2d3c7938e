using System.Runtime.CompilerServices;

namespace Erofs.Accel.Testing;

/// <summary>
/// Locates the shared test corpus (../shared/corpus next to the repository) and the repository itself.
/// Set EROFS_ACCEL_CORPUS to point elsewhere.
/// </summary>
public static class TestCorpus
{
    private static readonly Lazy<string> RepoRootLazy = new(() => FindRepoRoot());
    private static readonly Lazy<string?> CorpusLazy = new(FindCorpus);

    public static string RepoRoot => RepoRootLazy.Value;

    /// <summary>The corpus folder, or null when it is not present on this machine.</summary>
    public static string? Directory => CorpusLazy.Value;

    /// <summary>The corpus folder; skips the calling test with a reason when it is absent.</summary>
    public static string RequireDirectory()
    {
        var dir = Directory;
        if (dir is null)
            Assert.Skip("shared corpus not found: expected ../shared/corpus beside the repository or EROFS_ACCEL_CORPUS");
        return dir!;
    }

    public static string ImagePath(string name) => Path.Combine(RequireDirectory(), name + ".erofs");

    /// <summary>The two fingerprinted images of one tree (../shared/corpus-sharing); skips the calling test when absent.</summary>
    public static string RequireSharingDirectory()
    {
        var dir = Path.GetFullPath(Path.Combine(RequireDirectory(), "..", "corpus-sharing"));
        if (!System.IO.Directory.Exists(dir)) Assert.Skip($"{dir} not found (the fingerprinted images of the shared corpus)");
        return dir;
    }

    public static string ManifestPath(string name) => Path.Combine(RequireDirectory(), name + ".manifest");

    /// <summary>Extra device files of a corpus image (NAME.blob / NAME.tar), in device-table order.</summary>
    public static IReadOnlyList<string> ExtraDevices(string name)
    {
        var dir = RequireDirectory();
        var list = new List<string>();
        foreach (var ext in new[] { ".blob", ".tar" })
        {
            var p = Path.Combine(dir, name + ext);
            if (File.Exists(p)) list.Add(p);
        }
        return list;
    }

    /// <summary>Names (without extension) of every image in the corpus, sorted.</summary>
    public static IReadOnlyList<string> ImageNames()
    {
        var dir = Directory;
        if (dir is null) return Array.Empty<string>();
        return System.IO.Directory.GetFiles(dir, "*.erofs")
            .Select(p => Path.GetFileNameWithoutExtension(p))
            .OrderBy(n => n, StringComparer.Ordinal)
            .ToArray();
    }

    /// <summary>The image names as xunit theory data. A placeholder row keeps the theory valid where the corpus is absent.</summary>
    public static TheoryData<string> ImageNamesData()
    {
        var data = new TheoryData<string>();
        var names = ImageNames();
        if (names.Count == 0) data.Add("(corpus-absent)");
        foreach (var n in names) data.Add(n);
        return data;
    }

    private static string FindRepoRoot([CallerFilePath] string here = "")
    {
        foreach (var start in new[] { AppContext.BaseDirectory, System.IO.Directory.GetCurrentDirectory(), Path.GetDirectoryName(here) ?? "" })
        {
            for (var d = new DirectoryInfo(start); d is not null; d = d.Parent)
                if (File.Exists(Path.Combine(d.FullName, "Erofs.Accel.sln")))
                    return d.FullName;
        }
        throw new InvalidOperationException("cannot find the repository root (Erofs.Accel.sln) above " + AppContext.BaseDirectory);
    }

    private static string? FindCorpus()
    {
        var env = Environment.GetEnvironmentVariable("EROFS_ACCEL_CORPUS");
        if (!string.IsNullOrEmpty(env)) return System.IO.Directory.Exists(env) ? Path.GetFullPath(env) : null;
        var p = Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "corpus"));
        return System.IO.Directory.Exists(p) ? p : null;
    }
}
