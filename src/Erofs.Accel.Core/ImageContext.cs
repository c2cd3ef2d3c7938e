using Erofs.Accel.Core.Caching;
using Erofs.Accel.Core.Metadata;
using Erofs.Accel.Core.Storage;
using Erofs.Accel.Decompression;

namespace Erofs.Accel.Core;

/// <summary>
/// Everything the readers of one image share, built before them and never changed: the superblock and compression
/// configs, the devices, the metadata reader, the special inodes, the decompressor and this image's view of the
/// decoded-pcluster cache. <see cref="ErofsImage"/> builds it in two steps, because the metabox's content is read
/// through a file reader: first a context whose metadata reader sees only the primary device (enough to load the
/// packed and metabox inodes, which live there, and to read their data), then, with <c>with</c>, the final context
/// whose metadata reader also reads inside the metabox. Each reader keeps the context it was built with.
/// </summary>
internal sealed record ImageContext(
    Superblock Superblock,
    CompressionConfigs CompressionConfigs,
    DeviceSet Devices,
    MetadataReader Metadata,
    IPclusterDecompressor Decompressor,
    ImageDecodedCache DecodedCache)
{
    public int BlockBits => Superblock.BlockSizeBits;

    public int BlockSize => Superblock.BlockSize;

    /// <summary>The packed inode (fragments, and long xattr prefixes when there is no metabox), or null.</summary>
    public ErofsInode? PackedInode { get; init; }

    /// <summary>The metabox inode, or null.</summary>
    public ErofsInode? MetaboxInode { get; init; }
}
