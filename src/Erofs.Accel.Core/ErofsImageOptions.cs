using Erofs.Accel.Decompression;

namespace Erofs.Accel.Core;

/// <summary>How to open an image.</summary>
public sealed class ErofsImageOptions
{
    /// <summary>Extra devices (blob files, tar files) in device-table order, like <c>mount -o device=</c>.</summary>
    public IReadOnlyList<string> ExtraDevicePaths { get; init; } = Array.Empty<string>();

    /// <summary>Decodes compressed pclusters. Null: a <see cref="SoftwareDecompressor"/> is used.</summary>
    public IPclusterDecompressor? Decompressor { get; init; }

    /// <summary>Bytes of decoded pclusters kept for reuse by all readers of the image (default 128 MiB).</summary>
    public long DecodedCacheBytes { get; init; } = 128L << 20;

    /// <summary>Bytes of metadata blocks kept (default 16 MiB).</summary>
    public long MetadataCacheBytes { get; init; } = 16L << 20;

    /// <summary>Verify the superblock CRC32C when the image carries one (default true).</summary>
    public bool VerifySuperblockChecksum { get; init; } = true;

    /// <summary>
    /// What to do with an uncompressed inline tail pcluster of an inode that also has the interlaced advise bit.
    /// mkfs.erofs stores such tails unrotated; Linux 6.18, erofsfuse and fsck.erofs rotate them anyway and return
    /// wrong bytes. Default: read them as written (the true file contents).
    /// </summary>
    public InlineTailRotation InlineTailRotation { get; init; } = InlineTailRotation.AsWritten;
}

/// <summary>Reading of uncompressed inline tails in inodes marked interlaced (see <see cref="ErofsImageOptions.InlineTailRotation"/>).</summary>
public enum InlineTailRotation
{
    /// <summary>Treat the inline tail as shifted (no rotation): the bytes mkfs was given.</summary>
    AsWritten,
    /// <summary>Rotate like Linux 6.18 does (reproduces the kernel's wrong bytes).</summary>
    LikeKernel,
}
