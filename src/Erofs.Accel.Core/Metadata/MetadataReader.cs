using Erofs.Accel.Core.Caching;
using Erofs.Accel.Core.Storage;

namespace Erofs.Accel.Core.Metadata;

/// <summary>
/// Reads metadata bytes (inodes, xattrs, indexes, inline data) by absolute position, either on the primary device or
/// inside the metabox inode's content, through a bounded cache of whole blocks.
/// </summary>
internal sealed class MetadataReader
{
    private const long MetaboxKeyBit = 1L << 62;
    private readonly DeviceSet _devices;
    private readonly int _blockBits;
    private readonly BoundedLruCache<long, byte[]> _blocks;

    /// <summary>Reads bytes of the metabox inode's content (set once the image knows its metabox).</summary>
    public Func<long, Span<byte>, int>? ReadMetaboxContent { get; set; }
    public long MetaboxSize { get; set; }

    public MetadataReader(DeviceSet devices, int blockBits, long cacheBytes)
    {
        _devices = devices;
        _blockBits = blockBits;
        _blocks = new BoundedLruCache<long, byte[]>(cacheBytes, b => b.Length + 64);
    }

    public int BlockSize => 1 << _blockBits;

    /// <summary>Copies <c>dest.Length</c> bytes at <paramref name="pos"/> into <paramref name="dest"/>.</summary>
    public void Read(bool inMetabox, long pos, Span<byte> dest, ulong? nid = null)
    {
        if (pos < 0 || pos > long.MaxValue / 2)
            throw new ErofsCorruptImageException($"metadata position {pos} out of range", pos, nid);
        int bs = BlockSize;
        while (!dest.IsEmpty)
        {
            long blk = pos >> _blockBits;
            int off = (int)(pos & (bs - 1));
            var block = GetBlock(inMetabox, blk, nid);
            int avail = block.Length - off;
            if (avail <= 0)
                throw new ErofsCorruptImageException(
                    inMetabox ? $"metadata at {pos} lies past the end of the metabox ({MetaboxSize} bytes)" : $"metadata at {pos} lies past the end of the image",
                    pos, nid);
            int n = Math.Min(avail, dest.Length);
            block.AsSpan(off, n).CopyTo(dest);
            dest = dest[n..];
            pos += n;
        }
    }

    /// <summary>
    /// Like <see cref="Read(bool, long, Span{byte}, ulong?)"/>, but first looks in <paramref name="memo"/>, the last
    /// block this caller used (a compressed file's index walks the same block many times in a row), and records the
    /// block it used there. Safe to share between threads: blocks never change once read.
    /// </summary>
    public void Read(ref LastBlock? memo, bool inMetabox, long pos, Span<byte> dest, ulong? nid = null)
    {
        if (pos < 0 || pos > long.MaxValue / 2)
            throw new ErofsCorruptImageException($"metadata position {pos} out of range", pos, nid);
        int bs = BlockSize;
        long blk = pos >> _blockBits;
        int off = (int)(pos & (bs - 1));
        long key = inMetabox ? blk | MetaboxKeyBit : blk;
        var last = Volatile.Read(ref memo);
        if (last is null || last.Key != key)
        {
            last = new LastBlock(key, GetBlock(inMetabox, blk, nid));
            Volatile.Write(ref memo, last);
        }
        if (last.Block.Length - off >= dest.Length) last.Block.AsSpan(off, dest.Length).CopyTo(dest);
        else Read(inMetabox, pos, dest, nid); // crosses into the next block
    }

    /// <summary>A whole metadata block (shorter at the end of the image or metabox). Do not modify it.</summary>
    public byte[] GetBlock(bool inMetabox, long blk, ulong? nid = null)
    {
        long key = inMetabox ? blk | MetaboxKeyBit : blk;
        if (_blocks.TryGet(key, out var cached)) return cached;
        int bs = BlockSize;
        long start = blk << _blockBits;
        byte[] block;
        if (inMetabox)
        {
            var reader = ReadMetaboxContent ?? throw new ErofsCorruptImageException("inode lies in a metabox but the image has none", start, nid);
            if (start >= MetaboxSize)
                throw new ErofsCorruptImageException($"metadata block {blk} lies past the end of the metabox ({MetaboxSize} bytes)", start, nid);
            int len = (int)Math.Min(bs, MetaboxSize - start);
            block = new byte[len];
            int got = reader(start, block);
            if (got != len) throw new ErofsCorruptImageException("metabox content ended early", start, nid);
        }
        else
        {
            long imageLen = _devices.Primary.Length;
            if (start >= imageLen)
                throw new ErofsCorruptImageException($"metadata block {blk} lies past the end of the image ({imageLen} bytes)", start, nid);
            int len = (int)Math.Min(bs, imageLen - start);
            block = new byte[len];
            if (_devices.Primary.Read(start, block) != len)
                throw new ErofsIoException($"{_devices.Primary.Description}: short read of metadata block {blk}", start);
        }
        _blocks.Add(key, block);
        return block;
    }
}

/// <summary>A metadata block remembered by one reader of the index (see <see cref="MetadataReader.Read(ref LastBlock?, bool, long, Span{byte}, ulong?)"/>).</summary>
internal sealed record LastBlock(long Key, byte[] Block);
