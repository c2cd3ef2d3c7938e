using Erofs.Accel.Core.Caching;
using Erofs.Accel.Decompression;

namespace Erofs.Accel.Core;

/// <summary>How to open an image.</summary>
public sealed class ErofsImageOptions
{
    /// <summary>Extra devices (blob files, tar files) in device-table order, like <c>mount -o device=</c>.</summary>
    public IReadOnlyList<string> ExtraDevicePaths { get; init; } = Array.Empty<string>();

    /// <summary>Decodes compressed pclusters. Null: a <see cref="SoftwareDecompressor"/> is used.</summary>
    public IPclusterDecompressor? Decompressor { get; init; }

    /// <summary>
    /// Bytes of decoded pclusters kept for reuse by all readers of the image (default 128 MiB), in a cache of the
    /// image's own. Ignored when <see cref="DecodedCache"/> is given.
    /// </summary>
    public long DecodedCacheBytes { get; init; } = 128L << 20;

    /// <summary>
    /// A decoded-pcluster cache to share with other images (null: a private one of <see cref="DecodedCacheBytes"/>).
    /// Entries are keyed by content, so equal compressed pclusters of different images are decoded once, and the
    /// cache's byte budget covers all of them. Disposing an image leaves a shared cache alone.
    /// </summary>
    public DecodedPclusterCache? DecodedCache { get; init; }

    /// <summary>Bytes of metadata blocks kept (default 16 MiB).</summary>
    public long MetadataCacheBytes { get; init; } = 16L << 20;

    /// <summary>Verify the superblock CRC32C when the image carries one (default true).</summary>
    public bool VerifySuperblockChecksum { get; init; } = true;

    /// <summary>Most steps (extents, chunks) one read plans and runs at once (tests make it tiny to cross windows).</summary>
    internal int StepsPerReadWindow { get; init; } = 256;
}
