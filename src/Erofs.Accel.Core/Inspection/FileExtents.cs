using Erofs.Accel.Decompression;
using Erofs.Accel.Core.Data;

namespace Erofs.Accel.Core.Inspection;

/// <summary>How the bytes of a <see cref="FileExtent"/> are stored.</summary>
public enum FileExtentKind : byte
{
    /// <summary>Not stored: reads as zeros.</summary>
    Hole,
    /// <summary>Stored as is, byte for byte.</summary>
    Stored,
    /// <summary>Stored uncompressed in one block, rotated by the extent's offset in its block (compressed layouts).</summary>
    Interlaced,
    /// <summary>A compressed pcluster that decodes to the extent's bytes.</summary>
    Compressed,
    /// <summary>Kept inside the packed inode, at <see cref="FileExtent.FragmentOffset"/>.</summary>
    Fragment,
}

/// <summary>
/// A run of file bytes <c>[LogicalStart, LogicalStart + Length)</c> and where it lies, for every data layout (flat,
/// chunk-based, compressed): what dump.erofs -e lists. <see cref="PhysicalAddress"/> is a byte address on
/// <see cref="Device"/> (0: the primary image, in unified addressing when the image has a device table), or a position
/// in the metadata (the inode's own block, or the metabox) when <see cref="InMetadata"/> is set.
/// </summary>
public readonly record struct FileExtent
{
    /// <summary>Offset in the file of the extent's first byte.</summary>
    public long LogicalStart { get; init; }
    /// <summary>Number of file bytes the extent covers.</summary>
    public long Length { get; init; }
    /// <summary>How the extent's bytes are stored.</summary>
    public FileExtentKind Kind { get; init; }
    /// <summary>Device the bytes lie on: 0 for the image, N for extra device N (device-table slot N-1).</summary>
    public int Device { get; init; }
    /// <summary>Byte address on <see cref="Device"/>, or the position in the metadata when <see cref="InMetadata"/> is set.</summary>
    public long PhysicalAddress { get; init; }
    /// <summary>Bytes the extent occupies on its device (the pcluster size for compressed extents; 0 for holes and fragments).</summary>
    public long PhysicalLength { get; init; }
    /// <summary>Stored inline with the inode (a tail-packed block or an inline pcluster).</summary>
    public bool InMetadata { get; init; }
    /// <summary>The metadata it lies in is the metabox.</summary>
    public bool InMetabox { get; init; }
    /// <summary>Algorithm of a compressed extent ("lz4", "lzma", "deflate", "zstd"); null otherwise.</summary>
    public string? Algorithm { get; init; }
    /// <summary>The extent uses only a prefix of what its pcluster decodes to (deduplicated data).</summary>
    public bool PartialReference { get; init; }
    /// <summary>Offset in the packed inode of a <see cref="FileExtentKind.Fragment"/> extent.</summary>
    public long FragmentOffset { get; init; }

    /// <summary>Offset in the file just past the extent.</summary>
    public long LogicalEnd => LogicalStart + Length;

    /// <summary>Identifies the stored bytes: extents with equal keys share them (deduplicated pclusters, hardlinks).</summary>
    public (int Where, long Address) StorageKey => (InMetadata ? (InMetabox ? -2 : -1) : Device, PhysicalAddress);
}

/// <summary>
/// The extent list of a file, whatever its layout. Holds the project's one use of the per-layout mapping internals
/// outside the read path, so a change of the read path's mapping touches only this file.
/// </summary>
public static class FileExtents
{
    /// <summary>Every extent of <paramref name="inode"/> in file order, without reading file data.</summary>
    public static IEnumerable<FileExtent> Enumerate(ErofsImage image, ErofsInode inode)
    {
        if (inode.Size == 0) return Array.Empty<FileExtent>();
        return inode.Layout switch
        {
            DataLayout.FlatPlain or DataLayout.FlatInline => Flat(image, inode),
            DataLayout.ChunkBased => Chunked(image, inode),
            _ => Compressed(image, inode),
        };
    }

    private static IEnumerable<FileExtent> Flat(ErofsImage image, ErofsInode inode)
    {
        int blockBits = image.Superblock.BlockSizeBits;
        long size = (long)inode.Size;
        long bs = 1L << blockBits;
        bool inline = inode.Layout == DataLayout.FlatInline;
        long tailStart = inline ? Math.Max(0, ((size + bs - 1) >> blockBits) - 1 << blockBits) : size;
        ulong startBlock = inode.Core.WideU;
        ulong nullMask = inode.Core.NbIsAddressHigh ? ErofsConstants.NullAddress48 : ErofsConstants.NullAddress32;
        if (tailStart > 0)
        {
            if (!inline && (startBlock & nullMask) == nullMask)
                yield return new FileExtent { LogicalStart = 0, Length = tailStart, Kind = FileExtentKind.Hole };
            else
            {
                if (startBlock > (ulong)(long.MaxValue >> blockBits) || (long)startBlock << blockBits > long.MaxValue - tailStart)
                    throw new ErofsCorruptImageException($"start block {startBlock} out of range", null, inode.Nid);
                yield return new FileExtent
                {
                    LogicalStart = 0, Length = tailStart, Kind = FileExtentKind.Stored,
                    PhysicalAddress = (long)startBlock << blockBits, PhysicalLength = tailStart,
                };
            }
        }
        if (tailStart < size)
            yield return new FileExtent
            {
                LogicalStart = tailStart, Length = size - tailStart, Kind = FileExtentKind.Stored, InMetadata = true,
                InMetabox = inode.InMetabox, PhysicalAddress = inode.PayloadPosition, PhysicalLength = size - tailStart,
            };
    }

    private static IEnumerable<FileExtent> Chunked(ErofsImage image, ErofsInode inode)
    {
        int blockBits = image.Superblock.BlockSizeBits;
        int format = (int)(inode.Core.U & 0xFFFF);
        int chunkBits = blockBits + (format & ChunkFormat.BlockBitsMask);
        if (chunkBits > 47) throw new ErofsCorruptImageException($"chunk size 2^{chunkBits} out of range", null, inode.Nid);
        bool indexes = (format & ChunkFormat.Indexes) != 0;
        bool is48 = (format & ChunkFormat.Is48Bit) != 0;
        int unit = indexes ? 8 : 4;
        long table = (inode.PayloadPosition + unit - 1) & ~(long)(unit - 1);
        long size = (long)inode.Size;
        long bs = 1L << blockBits;
        var raw = new byte[8];
        FileExtent? pending = null;
        for (long chunkStart = 0; chunkStart < size; chunkStart += 1L << chunkBits)
        {
            long chunk = chunkStart >> chunkBits;
            image.Metadata.Read(inode.InMetabox, table + chunk * unit, raw.AsSpan(0, unit), inode.Nid);
            var entry = indexes ? ChunkEntry.FromIndex(raw, is48, image.Devices.DeviceIdMask) : ChunkEntry.FromBlockMap(raw);
            long bytes = Math.Min(Math.Min(1L << chunkBits, (size - chunkStart + bs - 1) & ~(bs - 1)), size - chunkStart);
            if (!entry.IsHole && entry.StartBlock > (ulong)(long.MaxValue >> blockBits) >> 1)
                throw new ErofsCorruptImageException($"chunk {chunk} address out of range", null, inode.Nid);
            var next = entry.IsHole
                ? new FileExtent { LogicalStart = chunkStart, Length = bytes, Kind = FileExtentKind.Hole }
                : new FileExtent
                {
                    LogicalStart = chunkStart, Length = bytes, Kind = FileExtentKind.Stored, Device = entry.Device,
                    PhysicalAddress = (long)entry.StartBlock << blockBits, PhysicalLength = bytes,
                };
            if (pending is { } p && Continues(p, next))
            {
                pending = p with { Length = p.Length + bytes, PhysicalLength = p.PhysicalLength + next.PhysicalLength };
                continue;
            }
            if (pending is { } done) yield return done;
            pending = next;
        }
        if (pending is { } last) yield return last;
    }

    /// <summary>Whether <paramref name="next"/> extends <paramref name="p"/> (holes after holes, data right after data).</summary>
    private static bool Continues(in FileExtent p, in FileExtent next) =>
        p.Kind == next.Kind && (p.Kind == FileExtentKind.Hole
            || (p.Device == next.Device && p.PhysicalAddress + p.PhysicalLength == next.PhysicalAddress));

    private static IEnumerable<FileExtent> Compressed(ErofsImage image, ErofsInode inode)
    {
        foreach (var e in image.EnumerateExtents(inode))
        {
            yield return e.Kind switch
            {
                ExtentKind.Hole => new FileExtent { LogicalStart = e.LogicalStart, Length = e.LogicalLength, Kind = FileExtentKind.Hole },
                ExtentKind.Fragment => new FileExtent
                {
                    LogicalStart = e.LogicalStart, Length = e.LogicalLength, Kind = FileExtentKind.Fragment, FragmentOffset = e.FragmentOffset,
                },
                _ => new FileExtent
                {
                    LogicalStart = e.LogicalStart, Length = e.LogicalLength,
                    Kind = e.Kind switch
                    {
                        ExtentKind.Shifted => FileExtentKind.Stored,
                        ExtentKind.Interlaced => FileExtentKind.Interlaced,
                        _ => FileExtentKind.Compressed,
                    },
                    Device = e.Device, PhysicalAddress = e.PhysicalAddress, PhysicalLength = e.PhysicalLength,
                    InMetadata = e.InMetadata, InMetabox = e.InMetabox, PartialReference = e.PartialReference,
                    Algorithm = e.Kind == ExtentKind.Compressed ? CompressionAlgorithms.Name(e.Algorithm) : null,
                },
            };
        }
    }
}
