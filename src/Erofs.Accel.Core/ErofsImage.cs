using System.Buffers.Binary;
using Erofs.Accel.Core.Caching;
using Erofs.Accel.Core.Data;
using Erofs.Accel.Core.Metadata;
using Erofs.Accel.Core.Storage;
using Erofs.Accel.Decompression;

namespace Erofs.Accel.Core;

/// <summary>
/// An open EROFS image: the entry point of the reader. Thread-safe: any number of threads may look up, list, stat
/// and read concurrently. Dispose closes the files it opened.
/// </summary>
public sealed partial class ErofsImage : IDisposable
{
    private readonly DeviceSet _devices;
    private readonly BoundedLruCache<ulong, ErofsInode> _inodes;
    private readonly FileDataReader _data;
    private ErofsInode? _metabox;
    private ErofsInode? _packed;

    internal MetadataReader Meta { get; }
    internal ErofsImageOptions Options { get; }

    public Superblock Superblock { get; }
    public CompressionConfigs CompressionConfigs { get; }
    public int BlockSize => Superblock.BlockSize;
    public ulong RootNid => Superblock.RootNid;
    public IReadOnlyList<DeviceSlot> DeviceSlots => _devices.Slots;
    public IRandomAccessSource Source => _devices.Primary;

    /// <summary>Decoded-pcluster cache statistics (hits, misses, decodes).</summary>
    public DecodedPclusterCache DecodedCache { get; }

    private ErofsImage(IRandomAccessSource primary, IReadOnlyList<IRandomAccessSource> extras, ErofsImageOptions options, bool owns)
    {
        Options = options;
        try
        {
            Superblock = ReadSuperblock(primary, options.VerifySuperblockChecksum);
            CompressionConfigs = ReadCompressionConfigs(primary, Superblock);
            _devices = new DeviceSet(Superblock, primary, extras, owns);
        }
        catch
        {
            if (owns)
            {
                primary.Dispose();
                foreach (var e in extras) e.Dispose();
            }
            throw;
        }
        Meta = new MetadataReader(_devices, Superblock.BlockSizeBits, options.MetadataCacheBytes);
        _inodes = new BoundedLruCache<ulong, ErofsInode>(65536, _ => 1);
        DecodedCache = new DecodedPclusterCache(options.DecodedCacheBytes);
        var decompressor = options.Decompressor ?? DefaultDecompressors.Create();
        _data = new FileDataReader(this, _devices, decompressor, DecodedCache);
        try
        {
            if (Superblock.MetaboxNid != 0 || Superblock.Has(IncompatFeatures.Metabox))
            {
                _metabox = GetInode(Superblock.MetaboxNid);
                if (_metabox.Type != InodeType.RegularFile)
                    throw new ErofsCorruptImageException("metabox inode is not a regular file", null, Superblock.MetaboxNid);
                var mb = _metabox;
                Meta.MetaboxSize = (long)mb.Size;
                Meta.ReadMetaboxContent = (pos, dest) => _data.Read(mb, pos, dest);
            }
            if (Superblock.PackedNid != 0)
            {
                _packed = GetInode(Superblock.PackedNid);
                if (_packed.Type != InodeType.RegularFile)
                    throw new ErofsCorruptImageException("packed inode is not a regular file", null, Superblock.PackedNid);
            }
            Xattrs = new XattrReader(this);
            var root = GetInode(RootNid);
            if (!root.IsDirectory)
                throw new ErofsCorruptImageException("root inode is not a directory", null, RootNid);
        }
        catch
        {
            _devices.Dispose();
            throw;
        }
    }

    internal XattrReader Xattrs { get; }
    internal ErofsInode? PackedInode => _packed;
    internal ErofsInode? MetaboxInode => _metabox;
    internal FileDataReader Data => _data;
    internal DeviceSet Devices => _devices;

    /// <summary>Opens an image file, with extra devices and options.</summary>
    public static ErofsImage Open(string path, ErofsImageOptions? options = null)
    {
        options ??= new ErofsImageOptions();
        var primary = new FileSource(path);
        var extras = new List<IRandomAccessSource>();
        try
        {
            foreach (var p in options.ExtraDevicePaths) extras.Add(new FileSource(p));
        }
        catch
        {
            primary.Dispose();
            foreach (var e in extras) e.Dispose();
            throw;
        }
        return new ErofsImage(primary, extras, options, owns: true);
    }

    /// <summary>Opens an image from any random-access source. The sources stay owned by the caller.</summary>
    public static ErofsImage Open(IRandomAccessSource primary, IReadOnlyList<IRandomAccessSource>? extraDevices = null, ErofsImageOptions? options = null) =>
        new(primary, extraDevices ?? Array.Empty<IRandomAccessSource>(), options ?? new ErofsImageOptions(), owns: false);

    private static Superblock ReadSuperblock(IRandomAccessSource src, bool verify)
    {
        Span<byte> head = stackalloc byte[ErofsConstants.SuperblockBaseSize];
        int n = src.Read(ErofsConstants.SuperblockOffset, head);
        if (n < head.Length)
            throw new ErofsCorruptImageException($"{src.Description}: too small to be an EROFS image ({src.Length} bytes)", 0);
        int bits = Superblock.PeekBlockSizeBits(head);
        int want = Math.Max(Superblock.ChecksumLength(bits), ErofsConstants.SuperblockBaseSize);
        var region = new byte[want];
        int got = src.Read(ErofsConstants.SuperblockOffset, region);
        return Superblock.Parse(region.AsSpan(0, got), verify);
    }

    private static CompressionConfigs ReadCompressionConfigs(IRandomAccessSource src, Superblock sb)
    {
        if (!sb.Has(IncompatFeatures.CompressionConfigs)) return CompressionConfigs.Legacy(sb);
        long start = ErofsConstants.SuperblockOffset + sb.Size;
        var buf = new byte[CompressionConfigs.MaxRecordsBytes];
        int n = src.Read(start, buf);
        return CompressionConfigs.Parse(sb, buf.AsSpan(0, n), start);
    }

    /// <summary>The root directory.</summary>
    public ErofsInode Root => GetInode(RootNid);

    /// <summary>Loads the inode with this nid (cached).</summary>
    public ErofsInode GetInode(ulong nid)
    {
        if (_inodes.TryGet(nid, out var cached)) return cached;
        var inode = LoadInode(nid);
        _inodes.Add(nid, inode);
        return inode;
    }

    private ErofsInode LoadInode(ulong nid)
    {
        bool inMetabox = (nid & ErofsConstants.MetaboxNidBit) != 0;
        ulong slot = nid & ~ErofsConstants.MetaboxNidBit;
        long pos;
        if (inMetabox)
        {
            if (_metabox is null)
                throw new ErofsCorruptImageException("nid refers to a metabox but the image has none", null, nid);
            if (slot >= (ulong)Meta.MetaboxSize / ErofsConstants.InodeSlotSize)
                throw new ErofsCorruptImageException($"nid out of range (metabox holds {Meta.MetaboxSize} bytes)", null, nid);
            pos = (long)slot * ErofsConstants.InodeSlotSize;
        }
        else
        {
            long metaStart = (long)Superblock.MetaBlockAddress << Superblock.BlockSizeBits;
            long len = _devices.Primary.Length;
            if (metaStart >= len || slot >= (ulong)(len - metaStart) / ErofsConstants.InodeSlotSize)
                throw new ErofsCorruptImageException($"nid out of range (image holds {len} bytes)", null, nid);
            pos = metaStart + (long)slot * ErofsConstants.InodeSlotSize;
        }
        Span<byte> raw = stackalloc byte[ErofsConstants.ExtendedInodeSize];
        Meta.Read(inMetabox, pos, raw[..ErofsConstants.CompactInodeSize], nid);
        if (InodeCore.PeekExtended(raw))
            Meta.Read(inMetabox, pos + 32, raw[32..], nid);
        var core = InodeCore.Parse(raw, Superblock.Epoch, Superblock.FixedNanoseconds, nid, pos);
        ValidateInode(core, nid, pos);
        return new ErofsInode(nid, pos, inMetabox, core, Superblock.BlockSizeBits);
    }

    private void ValidateInode(in InodeCore core, ulong nid, long pos)
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

    internal static ulong ReadU64(ReadOnlySpan<byte> b) => BinaryPrimitives.ReadUInt64LittleEndian(b);

    public void Dispose() => _devices.Dispose();
}
