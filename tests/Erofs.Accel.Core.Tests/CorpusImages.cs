using Erofs.Accel.Core;
using Erofs.Accel.Testing;

namespace Erofs.Accel.Core.Tests;

/// <summary>Opening corpus images and reading their manifests in tests.</summary>
internal static class CorpusImages
{
    /// <summary>Where the kernel's bytes differ from the source tree (a kernel bug our reader must not copy).</summary>
    public const string KernelRotatesInlineTails = "lz4hc-ztailpacking-fragments";

    public static ErofsImage Open(string name, ErofsImageOptions? options = null)
    {
        if (name == "(corpus-absent)") TestCorpus.RequireDirectory();
        var o = options ?? new ErofsImageOptions();
        o = new ErofsImageOptions
        {
            ExtraDevicePaths = TestCorpus.ExtraDevices(name).ToArray(),
            Decompressor = o.Decompressor,
            DecodedCacheBytes = o.DecodedCacheBytes,
            DecodedCache = o.DecodedCache,
            StepsPerReadWindow = o.StepsPerReadWindow,
            MetadataCacheBytes = o.MetadataCacheBytes,
            VerifySuperblockChecksum = o.VerifySuperblockChecksum,
        };
        return ErofsImage.Open(TestCorpus.ImagePath(name), o);
    }

    /// <summary>Manifest lines keyed by path (first field).</summary>
    public static Dictionary<string, string[]> LoadManifest(string path) =>
        File.ReadLines(path).Where(l => !l.StartsWith('#')).Select(l => l.Split('\t')).ToDictionary(f => f[0], StringComparer.Ordinal);

    /// <summary>The expected manifest text of an image: the kernel's, with source-tree contents where the kernel is wrong.</summary>
    public static string ExpectedManifest(string name)
    {
        var lines = File.ReadAllLines(TestCorpus.ManifestPath(name));
        if (name != KernelRotatesInlineTails) return string.Join('\n', lines) + "\n";
        var source = LoadManifest(Path.Combine(TestCorpus.RequireDirectory(), "source-tree-small-1001.manifest"));
        for (int i = 1; i < lines.Length; i++)
        {
            var f = lines[i].Split('\t');
            if (f[1] == "f" && source.TryGetValue(f[0], out var s)) f[10] = s[10];
            lines[i] = string.Join('\t', f);
        }
        return string.Join('\n', lines) + "\n";
    }
}
