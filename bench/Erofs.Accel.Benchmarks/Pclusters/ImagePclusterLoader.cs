using Erofs.Accel.Core;

namespace Erofs.Accel.Benchmarks.Pclusters;

/// <summary>
/// Real pclusters cut out of EROFS images by the reader: every image of a folder (the shared corpus) or one image
/// file (for example one built from a larger dataset). Picks the pclusters of one algorithm whose decoded size is
/// within a factor of two of the requested size class (4 KiB, 16 KiB, 64 KiB), or all of them when none fits.
/// </summary>
public sealed class ImagePclusterLoader(string path) : IPclusterSetLoader
{
    public string Name => Directory.Exists(path) ? "corpus" : Path.GetFileNameWithoutExtension(path);

    private IEnumerable<string> Images() => Directory.Exists(path)
        ? Directory.GetFiles(path, "*.erofs").OrderBy(p => p, StringComparer.Ordinal)
        : new[] { path };

    public PclusterSet Load(CompressionAlgorithm algorithm, int pclusterSize)
    {
        var all = new List<(Pcluster Item, DecodeParameters Parameters)>();
        foreach (var image in Images())
        {
            var dir = Path.GetDirectoryName(image)!;
            var name = Path.GetFileNameWithoutExtension(image);
            var devices = new[] { ".blob", ".tar" }.Select(e => Path.Combine(dir, name + e)).Where(File.Exists).ToArray();
            using var img = ErofsImage.Open(image, new ErofsImageOptions { ExtraDevicePaths = devices });
            foreach (var p in img.EnumeratePclusters())
                if (p.Parameters.Algorithm == algorithm && !p.Parameters.Partial && p.Parameters.DecodedSkip == 0)
                    all.Add((new Pcluster(p.Source, p.Parameters.DecodedLength), p.Parameters));
        }
        if (all.Count == 0) throw new InvalidOperationException($"{path}: no {algorithm} pclusters");
        var sized = all.Where(x => x.Item.DecodedLength > pclusterSize / 2 && x.Item.DecodedLength <= pclusterSize * 2).ToList();
        var chosen = sized.Count > 0 ? sized : all;
        return new PclusterSet($"{Name}: {chosen.Count} real {algorithm} pclusters", chosen[0].Parameters, chosen.Select(x => x.Item).ToList());
    }

    public long DecodedBytes(CompressionAlgorithm algorithm, int pclusterSize) => Load(algorithm, pclusterSize).TotalDecodedBytes;
}
