using System.Buffers;
using Erofs.Accel.Core.Data;

namespace Erofs.Accel.Core.Metadata;

/// <summary>
/// Lists and searches directories: blocks of sorted dirents, read through the file read path (directories may be
/// inline, plain, chunked or compressed).
/// </summary>
internal sealed class DirectoryReader
{
    /// <summary>Cookie bits used for the entry index inside a block (blocks hold at most 65536/12 entries).</summary>
    private const int EntryBits = 13;
    /// <summary>Cookie of the synthesised "." of a DOT_OMITTED directory... placed before everything else.</summary>
    private const long AfterSyntheticDot = 1L << 62;

    private readonly FileDataReader _data;

    public DirectoryReader(FileDataReader data, int blockSize)
    {
        _data = data;
        BlockSize = blockSize;
    }

    private int BlockSize { get; }

    private static void RequireDirectory(ErofsInode dir)
    {
        if (!dir.IsDirectory) throw new ErofsNotFoundException($"nid {ErofsException.FormatNid(dir.Nid)} is not a directory", ErofsErrorKind.NotADirectory, dir.Nid);
    }

    private long BlockCount(ErofsInode dir) => (long)((dir.Size + (ulong)BlockSize - 1) / (ulong)BlockSize);

    /// <summary>Reads directory block <paramref name="index"/> into <paramref name="buffer"/>; returns its length.</summary>
    private int ReadBlock(ErofsInode dir, long index, Span<byte> buffer)
    {
        long start = index * BlockSize;
        int len = (int)Math.Min(BlockSize, (long)dir.Size - start);
        int got = _data.Read(dir, start, buffer[..len]);
        if (got != len) throw new ErofsCorruptImageException($"directory block {index} truncated", null, dir.Nid);
        return len;
    }

    /// <summary>Finds <paramref name="name"/> in <paramref name="dir"/>; returns its nid and type, or false.</summary>
    public bool TryLookup(ErofsInode dir, ReadOnlySpan<byte> name, out ulong nid, out DirentFileType type)
    {
        RequireDirectory(dir);
        nid = 0;
        type = DirentFileType.Unknown;
        if (name.IsEmpty || name.Length > ErofsConstants.MaxNameLength) return false;
        if (dir.Core.DotOmitted && name.Length == 1 && name[0] == (byte)'.')
        {
            nid = dir.Nid;
            type = DirentFileType.Directory;
            return true;
        }
        var buf = ArrayPool<byte>.Shared.Rent(BlockSize);
        try
        {
            long lo = 0, hi = BlockCount(dir) - 1, candidate = -1;
            while (lo <= hi)
            {
                long mid = lo + (hi - lo) / 2;
                int len = ReadBlock(dir, mid, buf);
                var block = new DirectoryBlock(buf.AsSpan(0, len), BlockSize, dir.Nid, mid * BlockSize);
                int c = name.SequenceCompareTo(block.NameAt(0));
                if (c == 0)
                {
                    var d = block[0];
                    (nid, type) = (d.Nid, d.FileType);
                    return true;
                }
                if (c < 0) hi = mid - 1;
                else
                {
                    candidate = mid;
                    lo = mid + 1;
                }
            }
            if (candidate < 0) return false;
            int clen = ReadBlock(dir, candidate, buf);
            var cb = new DirectoryBlock(buf.AsSpan(0, clen), BlockSize, dir.Nid, candidate * BlockSize);
            int i = cb.Find(name);
            if (i < 0) return false;
            var e = cb[i];
            (nid, type) = (e.Nid, e.FileType);
            return true;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buf);
        }
    }

    /// <summary>
    /// Lists <paramref name="dir"/> in on-disk order, starting after <paramref name="cookie"/> (0 = from the start).
    /// A DOT_OMITTED directory gets a synthesised "." first.
    /// </summary>
    public IEnumerable<DirectoryEntry> Enumerate(ErofsInode dir, long cookie = 0)
    {
        RequireDirectory(dir);
        if (cookie < 0) yield break;
        if (dir.Core.DotOmitted && cookie == 0)
        {
            yield return new DirectoryEntry(new[] { (byte)'.' }, dir.Nid, DirentFileType.Directory, AfterSyntheticDot);
            cookie = AfterSyntheticDot;
        }
        if (cookie == AfterSyntheticDot) cookie = 0;
        long startBlock = cookie >> EntryBits;
        int startEntry = (int)(cookie & ((1 << EntryBits) - 1));
        long blocks = BlockCount(dir);
        var buf = new byte[BlockSize];
        for (long b = startBlock; b < blocks; b++)
        {
            int len = ReadBlock(dir, b, buf);
            var entries = Decode(buf.AsSpan(0, len), dir, b, b == startBlock ? startEntry : 0);
            foreach (var e in entries) yield return e;
        }
    }

    private List<DirectoryEntry> Decode(ReadOnlySpan<byte> data, ErofsInode dir, long blockIndex, int from)
    {
        var block = new DirectoryBlock(data, BlockSize, dir.Nid, blockIndex * BlockSize);
        var list = new List<DirectoryEntry>(Math.Max(0, block.Count - from));
        for (int i = from; i < block.Count; i++)
        {
            var d = block[i];
            long next = i + 1 < block.Count ? (blockIndex << EntryBits) | (long)(i + 1) : (blockIndex + 1) << EntryBits;
            list.Add(new DirectoryEntry(d.Name.ToArray(), d.Nid, d.FileType, next));
        }
        return list;
    }
}
