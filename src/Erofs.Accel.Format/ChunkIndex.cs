using System.Buffers.Binary;

namespace Erofs.Accel.Format;

/// <summary>Chunk format bits (i_u of chunk-based inodes).</summary>
public static class ChunkFormat
{
    /// <summary>Bits 0-4: chunk size as log2 blocks (a chunk is 2^(blkbits + this) bytes).</summary>
    public const ushort BlockBitsMask = 0x1F;
    /// <summary>Bit 5: 8-byte chunk index entries (with a device id) instead of 4-byte block addresses.</summary>
    public const ushort Indexes = 0x20;
    /// <summary>Bit 6: chunk index entries carry 48-bit block addresses.</summary>
    public const ushort Is48Bit = 0x40;
    /// <summary>Every bit this reader knows; others make the inode unsupported.</summary>
    public const ushort All = 0x7F;
}

/// <summary>One decoded chunk table entry.</summary>
public readonly record struct ChunkEntry(bool IsHole, int Device, ulong StartBlock)
{
    /// <summary>Decodes a 4-byte block-map entry.</summary>
    public static ChunkEntry FromBlockMap(ReadOnlySpan<byte> raw)
    {
        uint blk = BinaryPrimitives.ReadUInt32LittleEndian(raw);
        return blk == ErofsConstants.NullAddress32 ? new ChunkEntry(true, 0, 0) : new ChunkEntry(false, 0, blk);
    }

    /// <summary>Decodes an 8-byte chunk index entry.</summary>
    public static ChunkEntry FromIndex(ReadOnlySpan<byte> raw, bool is48Bit, int deviceIdMask)
    {
        ulong hi = BinaryPrimitives.ReadUInt16LittleEndian(raw);
        int dev = BinaryPrimitives.ReadUInt16LittleEndian(raw[2..]);
        ulong lo = BinaryPrimitives.ReadUInt32LittleEndian(raw[4..]);
        ulong mask = is48Bit ? ErofsConstants.NullAddress48 : ErofsConstants.NullAddress32;
        ulong addr = (lo | hi << 32) & mask;
        if (addr == mask) return new ChunkEntry(true, 0, 0);
        return new ChunkEntry(false, dev & deviceIdMask, addr);
    }
}
