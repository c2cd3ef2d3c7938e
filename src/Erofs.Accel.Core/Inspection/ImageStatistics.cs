using Erofs.Accel.Core.Export;

namespace Erofs.Accel.Core.Inspection;

/// <summary>How many pclusters of one algorithm have a stored size of at most <see cref="MaxBytes"/> (and more than the bucket below).</summary>
public readonly record struct PclusterSizeBucket(long MaxBytes, long Count);

/// <summary>The distinct pclusters of one algorithm: how many, their stored and decoded bytes, and their stored sizes.</summary>
public sealed record AlgorithmStatistics(string Algorithm, long Pclusters, long StoredBytes, long DecodedBytes, IReadOnlyList<PclusterSizeBucket> SizeHistogram)
{
    /// <summary>Stored bytes per decoded byte (0.25: a quarter of the size).</summary>
    public double Ratio => DecodedBytes == 0 ? 0 : (double)StoredBytes / DecodedBytes;
}

/// <summary>
/// What an image holds, from its metadata alone (no data is read or decoded): inodes per type, where the bytes of
/// regular files are (holes, stored, inline, fragments, compressed) and the distinct pclusters per algorithm with a
/// histogram of their stored sizes. Like dump.erofs -S. Hardlinked inodes count once; deduplicated pclusters count once.
/// </summary>
public sealed class ImageStatistics
{
    private ImageStatistics() { }

    /// <summary>Distinct inodes reachable from the root, per type.</summary>
    public IReadOnlyDictionary<InodeType, long> InodesByType { get; private set; } = new Dictionary<InodeType, long>();
    /// <summary>Paths in the tree, the root included (hardlinks count once per name).</summary>
    public long Paths { get; private set; }
    /// <summary>Distinct regular-file inodes.</summary>
    public long RegularFiles { get; private set; }
    /// <summary>Regular files stored compressed.</summary>
    public long CompressedFiles { get; private set; }
    /// <summary>Sum of regular file sizes.</summary>
    public long FileBytes { get; private set; }
    /// <summary>File bytes in holes (not stored, read as zeros).</summary>
    public long FileBytesInHoles { get; private set; }
    /// <summary>File bytes stored as they are, in blocks of a device.</summary>
    public long FileBytesStored { get; private set; }
    /// <summary>File bytes stored inline with their inode (tail packing).</summary>
    public long FileBytesInline { get; private set; }
    /// <summary>File bytes kept in the packed inode.</summary>
    public long FileBytesInFragments { get; private set; }
    /// <summary>File bytes that decode from compressed pclusters (deduplicated references each count).</summary>
    public long FileBytesCompressed { get; private set; }
    /// <summary>Distinct pclusters of every inode (files, directories, symlinks, the packed and metabox inodes), per algorithm.</summary>
    public IReadOnlyList<AlgorithmStatistics> Algorithms { get; private set; } = Array.Empty<AlgorithmStatistics>();

    /// <summary>Distinct pclusters of every algorithm.</summary>
    public long Pclusters => Algorithms.Sum(a => a.Pclusters);
    /// <summary>Bytes the pclusters occupy on the image.</summary>
    public long PclusterStoredBytes => Algorithms.Sum(a => a.StoredBytes);
    /// <summary>Bytes the pclusters decode to.</summary>
    public long PclusterDecodedBytes => Algorithms.Sum(a => a.DecodedBytes);

    /// <summary>Stored bytes of the pclusters per byte they decode to.</summary>
    public double CompressionRatio => PclusterDecodedBytes == 0 ? 0 : (double)PclusterStoredBytes / PclusterDecodedBytes;

    /// <summary>Walks the tree and the special inodes once, mapping every file without reading its data.</summary>
    public static ImageStatistics Collect(ErofsImage image, CancellationToken cancellationToken = default)
    {
        var byType = new Dictionary<InodeType, long>();
        var pclusters = new Dictionary<(int, long), (string Algorithm, long Stored, long Decoded)>();
        var seen = new HashSet<ulong>();
        var stats = new ImageStatistics { InodesByType = byType };
        void MapPclusters(ErofsInode inode, bool isFile)
        {
            if (inode.Type is not (InodeType.RegularFile or InodeType.Directory or InodeType.Symlink)) return;
            foreach (var e in FileExtents.Enumerate(image, inode))
            {
                if (isFile)
                {
                    switch (e.Kind)
                    {
                        case FileExtentKind.Hole: stats.FileBytesInHoles += e.Length; break;
                        case FileExtentKind.Fragment: stats.FileBytesInFragments += e.Length; break;
                        case FileExtentKind.Compressed: stats.FileBytesCompressed += e.Length; break;
                        default:
                            if (e.InMetadata) stats.FileBytesInline += e.Length;
                            else stats.FileBytesStored += e.Length;
                            break;
                    }
                }
                if (e.Kind != FileExtentKind.Compressed) continue;
                var key = e.StorageKey;
                if (pclusters.TryGetValue(key, out var p)) pclusters[key] = p with { Decoded = Math.Max(p.Decoded, e.Length) };
                else pclusters[key] = (e.Algorithm!, e.PhysicalLength, e.Length);
            }
        }
        foreach (var node in TreeWalker.Walk(image))
        {
            cancellationToken.ThrowIfCancellationRequested();
            stats.Paths++;
            var inode = node.Inode;
            if (!seen.Add(inode.Nid)) continue;
            byType[inode.Type] = byType.GetValueOrDefault(inode.Type) + 1;
            if (inode.IsRegularFile)
            {
                stats.RegularFiles++;
                if (inode.IsCompressed) stats.CompressedFiles++;
                stats.FileBytes += (long)inode.Size;
            }
            MapPclusters(inode, inode.IsRegularFile);
        }
        foreach (var special in new[] { image.PackedInode, image.MetaboxInode })
            if (special is not null && seen.Add(special.Nid)) MapPclusters(special, isFile: false);

        stats.Algorithms = pclusters.Values
            .GroupBy(p => p.Algorithm)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new AlgorithmStatistics(g.Key, g.LongCount(), g.Sum(p => p.Stored), g.Sum(p => p.Decoded),
                g.GroupBy(p => Bucket(p.Stored)).OrderBy(b => b.Key).Select(b => new PclusterSizeBucket(b.Key, b.LongCount())).ToArray()))
            .ToArray();
        return stats;
    }

    /// <summary>The histogram bucket of a stored size: the next power of two, at least 512 bytes.</summary>
    public static long Bucket(long storedBytes)
    {
        long b = 512;
        while (b < storedBytes && b < long.MaxValue / 2) b <<= 1;
        return b;
    }
}
