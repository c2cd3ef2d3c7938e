using Erofs.Accel.Decompression;

namespace Erofs.Accel.Core.Data;

/// <summary>How the bytes of an extent are stored.</summary>
public enum ExtentKind : byte
{
    /// <summary>Not mapped: reads as zeros.</summary>
    Hole,
    /// <summary>Stored uncompressed; file byte la+k is at pcluster byte k.</summary>
    Shifted,
    /// <summary>Stored uncompressed in one block, rotated: file byte y is at pcluster byte y mod blocksize.</summary>
    Interlaced,
    /// <summary>Compressed with <see cref="Extent.Algorithm"/>.</summary>
    Compressed,
    /// <summary>Stored inside the packed inode at <see cref="Extent.FragmentOffset"/>.</summary>
    Fragment,
}

/// <summary>
/// A run of file bytes <c>[LogicalStart, LogicalStart + LogicalLength)</c> and where it comes from. For compressed
/// extents the pcluster decodes (from decoded byte 0) to at least LogicalLength bytes.
/// </summary>
public readonly record struct Extent
{
    /// <summary>Offset in the file of the extent's first byte.</summary>
    public long LogicalStart { get; init; }
    /// <summary>Number of file bytes the extent covers.</summary>
    public long LogicalLength { get; init; }
    /// <summary>How the extent's bytes are stored.</summary>
    public ExtentKind Kind { get; init; }
    /// <summary>Device id (0 = primary, unified addressing applies).</summary>
    public int Device { get; init; }
    /// <summary>Byte address of the pcluster (a metadata position when <see cref="InMetadata"/>).</summary>
    public long PhysicalAddress { get; init; }
    /// <summary>Bytes the pcluster occupies on its device (0 for holes and fragments).</summary>
    public int PhysicalLength { get; init; }
    /// <summary>The pcluster is inline in the metadata (ztailpacking): read it like metadata of the inode.</summary>
    public bool InMetadata { get; init; }
    /// <summary>The metadata it lives in is the metabox (inline pclusters of metabox inodes).</summary>
    public bool InMetabox { get; init; }
    /// <summary>Algorithm of compressed extents.</summary>
    public CompressionAlgorithm Algorithm { get; init; }
    /// <summary>Only a prefix of what the pcluster decodes to belongs to this extent (dedupe).</summary>
    public bool PartialReference { get; init; }
    /// <summary>Offset inside the packed inode of a <see cref="ExtentKind.Fragment"/> extent.</summary>
    public long FragmentOffset { get; init; }

    /// <summary>Offset in the file just past the extent.</summary>
    public long LogicalEnd => LogicalStart + LogicalLength;
}
