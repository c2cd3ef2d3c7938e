using Erofs.Accel.Core.Caching;
using Erofs.Accel.Core.Data;

namespace Erofs.Accel.Core.Metadata;

/// <summary>Loads and validates inodes by nid (on the primary device, or inside the metabox), with a bounded cache.</summary>
internal sealed class InodeLoader
{
    /// <summary>Inodes kept (each a few hundred bytes).</summary>
    public const int CachedInodes = 65536;

    private readonly ImageContext _context;
    private readonly ClockCache<ulong, ErofsInode> _inodes = new(CachedInodes, static _ => 1);

    public InodeLoader(ImageContext context) => _context = context;

    /// <summary>The inode with this nid (cached).</summary>
    public ErofsInode Get(ulong nid)
    {
        if (_inodes.TryGet(nid, out var cached)) return cached;
        var inode = Load(nid);
        _inodes.Add(nid, inode);
        return inode;
    }

    private ErofsInode Load(ulong nid)
    {
        var sb = _context.Superblock;
        var meta = _context.Metadata;
        bool inMetabox = (nid & ErofsConstants.MetaboxNidBit) != 0;
        ulong slot = nid & ~ErofsConstants.MetaboxNidBit;
        long pos;
        if (inMetabox)
        {
            if (_context.MetaboxInode is null)
                throw new ErofsCorruptImageException("nid refers to a metabox but the image has none", null, nid);
            if (slot >= (ulong)meta.MetaboxSize / ErofsConstants.InodeSlotSize)
                throw new ErofsCorruptImageException($"nid out of range (metabox holds {meta.MetaboxSize} bytes)", null, nid);
            pos = (long)slot * ErofsConstants.InodeSlotSize;
        }
        else
        {
            long metaStart = (long)sb.MetaBlockAddress << sb.BlockSizeBits;
            long len = _context.Devices.Primary.Length;
            if (metaStart >= len || slot >= (ulong)(len - metaStart) / ErofsConstants.InodeSlotSize)
                throw new ErofsCorruptImageException($"nid out of range (image holds {len} bytes)", null, nid);
            pos = metaStart + (long)slot * ErofsConstants.InodeSlotSize;
        }
        Span<byte> raw = stackalloc byte[ErofsConstants.ExtendedInodeSize];
        meta.Read(inMetabox, pos, raw[..ErofsConstants.CompactInodeSize], nid);
        if (InodeCore.PeekExtended(raw))
            meta.Read(inMetabox, pos + ErofsConstants.CompactInodeSize, raw[ErofsConstants.CompactInodeSize..], nid);
        var core = InodeCore.Parse(raw, sb.Epoch, sb.FixedNanoseconds, nid, pos);
        Validate(core, nid, pos);
        long payload = pos + core.CoreSize + core.XattrInlineSize;
        var map = core.Layout is DataLayout.CompressedFull or DataLayout.CompressedCompact
            ? new CompressedMap(_context, nid, inMetabox, core.Layout, payload, (long)core.Size)
            : null;
        return new ErofsInode(nid, pos, inMetabox, core, sb.BlockSizeBits, map);
    }

    private static void Validate(in InodeCore core, ulong nid, long pos)
    {
        if (core.XattrICount == 1)
            throw new ErofsUnsupportedFeatureException("inline xattr area of exactly 12 bytes (xattr icount 1) is not supported", pos, nid);
        switch (core.Layout)
        {
            case DataLayout.ChunkBased:
                if ((core.U & 0xFFFF & ~ChunkFormat.All) != 0)
                    throw new ErofsUnsupportedFeatureException($"unknown chunk format 0x{core.U & 0xFFFF:x}", pos, nid);
                if (core.Type is not (InodeType.RegularFile or InodeType.Directory or InodeType.Symlink))
                    throw new ErofsCorruptImageException("chunk-based layout on a special file", pos, nid);
                break;
            case DataLayout.CompressedFull:
            case DataLayout.CompressedCompact:
                if (core.Type is not (InodeType.RegularFile or InodeType.Directory or InodeType.Symlink))
                    throw new ErofsCorruptImageException("compressed layout on a special file", pos, nid);
                break;
        }
        if (core.Type is InodeType.Directory or InodeType.Symlink && core.Size > (1UL << 40))
            throw new ErofsCorruptImageException($"implausible {core.Type} size {core.Size}", pos, nid);
        if (core.Size > long.MaxValue / 2)
            throw new ErofsCorruptImageException($"implausible file size {core.Size}", pos, nid);
    }
}
