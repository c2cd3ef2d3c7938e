using System.Buffers.Binary;

namespace Erofs.Accel.Format;

/// <summary>File type hint stored in a directory entry.</summary>
public enum DirentFileType : byte
{
    /// <summary>The entry records no type (the inode says).</summary>
    Unknown = 0,
    /// <summary>A regular file.</summary>
    RegularFile = 1,
    /// <summary>A directory.</summary>
    Directory = 2,
    /// <summary>A character device node.</summary>
    CharDevice = 3,
    /// <summary>A block device node.</summary>
    BlockDevice = 4,
    /// <summary>A FIFO (named pipe).</summary>
    Fifo = 5,
    /// <summary>A Unix domain socket.</summary>
    Socket = 6,
    /// <summary>A symbolic link.</summary>
    Symlink = 7,
}

/// <summary>One directory entry, pointing into the block it was read from.</summary>
public readonly ref struct Dirent
{
    /// <summary>Nid of the inode the entry names.</summary>
    public ulong Nid { get; init; }
    /// <summary>The name, raw bytes (1 to 255, not necessarily UTF-8), inside the block.</summary>
    public ReadOnlySpan<byte> Name { get; init; }
    /// <summary>The type recorded in the entry.</summary>
    public DirentFileType FileType { get; init; }
}

/// <summary>
/// A validated view of one directory block: <c>nameoff0 / 12</c> dirents followed by their names.
/// Construction checks every entry (name bounds, lengths 1..255, increasing offsets, file type), so entry access
/// cannot fail afterwards.
/// </summary>
public readonly ref struct DirectoryBlock
{
    private readonly ReadOnlySpan<byte> _block;

    /// <summary>Number of entries in the block.</summary>
    public int Count { get; }

    /// <param name="block">The block bytes: <c>min(blocksize, i_size - blockstart)</c> of them.</param>
    /// <param name="blockSize">The filesystem block size.</param>
    /// <param name="dirNid">Directory nid, for error messages.</param>
    /// <param name="blockPosition">Byte offset of the block inside the directory, for error messages.</param>
    public DirectoryBlock(ReadOnlySpan<byte> block, int blockSize, ulong dirNid, long blockPosition)
    {
        if (block.Length < ErofsConstants.DirentSize)
            throw new ErofsCorruptImageException($"directory block at {blockPosition} is too short ({block.Length} bytes)", null, dirNid);
        int nameoff0 = BinaryPrimitives.ReadUInt16LittleEndian(block[8..]);
        if (nameoff0 < ErofsConstants.DirentSize || nameoff0 >= blockSize || nameoff0 > block.Length || nameoff0 % ErofsConstants.DirentSize != 0)
            throw new ErofsCorruptImageException($"directory block at {blockPosition} has invalid first name offset {nameoff0}", null, dirNid);
        _block = block;
        Count = nameoff0 / ErofsConstants.DirentSize;
        int prevEnd = nameoff0;
        for (int i = 0; i < Count; i++)
        {
            var (start, len) = NameRange(i);
            if (start < prevEnd || len < 1 || len > ErofsConstants.MaxNameLength || start + len > block.Length)
                throw new ErofsCorruptImageException($"directory block at {blockPosition} has a bogus entry {i} (name offset {start}, length {len})", null, dirNid);
            if (block[ErofsConstants.DirentSize * i + 10] > (byte)DirentFileType.Symlink)
                throw new ErofsCorruptImageException($"directory block at {blockPosition}, entry {i}: invalid file type {block[ErofsConstants.DirentSize * i + 10]}", null, dirNid);
            prevEnd = start + len;
        }
    }

    private (int Start, int Length) NameRange(int i)
    {
        int start = BinaryPrimitives.ReadUInt16LittleEndian(_block[(ErofsConstants.DirentSize * i + 8)..]);
        if (i + 1 < Count)
        {
            int next = BinaryPrimitives.ReadUInt16LittleEndian(_block[(ErofsConstants.DirentSize * (i + 1) + 8)..]);
            return (start, next - start);
        }
        if (start >= _block.Length) return (start, 0);
        var rest = _block[start..];
        int nul = rest.IndexOf((byte)0);
        return (start, nul < 0 ? rest.Length : nul);
    }

    /// <summary>Entry <paramref name="index"/> (0 to <see cref="Count"/> - 1).</summary>
    public Dirent this[int index]
    {
        get
        {
            if ((uint)index >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(index));
            var (start, len) = NameRange(index);
            var rec = _block.Slice(ErofsConstants.DirentSize * index, ErofsConstants.DirentSize);
            return new Dirent
            {
                Nid = BinaryPrimitives.ReadUInt64LittleEndian(rec),
                Name = _block.Slice(start, len),
                FileType = (DirentFileType)rec[10],
            };
        }
    }

    /// <summary>Name of entry <paramref name="index"/> (cheaper than the indexer when only the name is needed).</summary>
    public ReadOnlySpan<byte> NameAt(int index)
    {
        var (start, len) = NameRange(index);
        return _block.Slice(start, len);
    }

    /// <summary>
    /// Binary search for <paramref name="name"/> (entries are sorted by raw bytes, as the kernel assumes).
    /// Returns the index or -1.
    /// </summary>
    public int Find(ReadOnlySpan<byte> name)
    {
        int lo = 0, hi = Count - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            int c = name.SequenceCompareTo(NameAt(mid));
            if (c == 0) return mid;
            if (c < 0) hi = mid - 1; else lo = mid + 1;
        }
        return -1;
    }
}
