using Erofs.Accel.Core.Caching;
using Erofs.Accel.Core.Data;
using Erofs.Accel.Core.Storage;

namespace Erofs.Accel.Core.Metadata;

/// <summary>
/// Reads metadata bytes (inodes, xattrs, indexes, inline data) by absolute position, either on the primary device or
/// inside the metabox inode's content, through a bounded cache of whole blocks. A reader for the primary device
/// comes first; <see cref="WithMetabox"/> then makes the image's reader, which also reads inside the metabox and
/// shares the block cache.
/// </summary>
internal sealed class MetadataReader
{
    private const long MetaboxKeyBit = 1L << 62;
    private readonly DeviceSet _devices;
    private readonly int _blockBits;
    private readonly ClockCache<long, MetadataBlock> _blocks;
    private readonly MetaboxContent? _metabox;

    public MetadataReader(DeviceSet devices, int blockBits, long cacheBytes)
        : this(devices, blockBits, new ClockCache<long, MetadataBlock>(cacheBytes, static b => b.Bytes.Length + 64), metabox: null) { }

    private MetadataReader(DeviceSet devices, int blockBits, ClockCache<long, MetadataBlock> blocks, MetaboxContent? metabox)
    {
        _devices = devices;
        _blockBits = blockBits;
        _blocks = blocks;
        _metabox = metabox;
    }

    /// <summary>A reader that also reads inside <paramref name="metabox"/> (same devices, same block cache).</summary>
    public MetadataReader WithMetabox(MetaboxContent metabox) => new(_devices, _blockBits, _blocks, metabox);

    /// <summary>Bytes of metabox content (0 without a metabox).</summary>
    public long MetaboxSize => _metabox?.Size ?? 0;

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
            var block = GetBlock(inMetabox, blk, nid).Bytes;
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
    public void Read(ref MetadataBlock? memo, bool inMetabox, long pos, Span<byte> dest, ulong? nid = null)
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
            last = GetBlock(inMetabox, blk, nid);
            Volatile.Write(ref memo, last);
        }
        if (last.Bytes.Length - off >= dest.Length) last.Bytes.AsSpan(off, dest.Length).CopyTo(dest);
        else Read(inMetabox, pos, dest, nid); // crosses into the next block
    }

    /// <summary>A whole metadata block (shorter at the end of the image or metabox). Do not modify it.</summary>
    public MetadataBlock GetBlock(bool inMetabox, long blk, ulong? nid = null)
    {
        long key = inMetabox ? blk | MetaboxKeyBit : blk;
        if (_blocks.TryGet(key, out var cached)) return cached;
        int bs = BlockSize;
        long start = blk << _blockBits;
        byte[] block;
        if (inMetabox)
        {
            var metabox = _metabox ?? throw new ErofsCorruptImageException("inode lies in a metabox but the image has none", start, nid);
            if (start >= metabox.Size)
                throw new ErofsCorruptImageException($"metadata block {blk} lies past the end of the metabox ({metabox.Size} bytes)", start, nid);
            int len = (int)Math.Min(bs, metabox.Size - start);
            block = new byte[len];
            int got = metabox.Read(start, block);
            if (got != len) throw new ErofsCorruptImageException("metabox content ended early", start, nid);
        }
        else
        {
            var source = _devices.MetadataSource;
            long imageLen = source.Length;
            if (start >= imageLen)
                throw new ErofsCorruptImageException($"metadata block {blk} lies past the end of the image ({imageLen} bytes)", start, nid);
            int len = (int)Math.Min(bs, imageLen - start);
            block = new byte[len];
            if (source.Read(start, block) != len)
                throw new ErofsIoException($"{source.Description}: short read of metadata block {blk}", start);
        }
        var entry = new MetadataBlock(key, block);
        _blocks.Add(key, entry);
        return entry;
    }
}

/// <summary>
/// A cached metadata block: its cache key and bytes. Readers of an index remember the last one they used (see
/// <see cref="MetadataReader.Read(ref MetadataBlock?, bool, long, Span{byte}, ulong?)"/>) without allocating.
/// </summary>
internal sealed record MetadataBlock(long Key, byte[] Bytes);

/// <summary>The metabox inode's content, read through a file reader built on the primary device's metadata.</summary>
internal sealed class MetaboxContent(ErofsInode inode, FileDataReader reader)
{
    public long Size { get; } = (long)inode.Size;

    public int Read(long position, Span<byte> destination) => reader.Read(inode, position, destination);
}
