using Erofs.Accel.Core.Caching;
using Erofs.Accel.Core.Data;
using Erofs.Accel.Core.Metadata;
using Erofs.Accel.Core.Storage;
using Erofs.Accel.Decompression;
using Microsoft.Win32.SafeHandles;

namespace Erofs.Accel.Core;

/// <summary>
/// An open EROFS image: the entry point of the reader. Thread-safe: any number of threads may look up, list, stat
/// and read concurrently. Dispose closes the files it opened.
/// </summary>
public sealed partial class ErofsImage : IDisposable
{
    private readonly ImageContext _context;
    private readonly InodeLoader _inodes;
    private readonly FileDataReader _data;
    private readonly XattrReader _xattrs;
    private readonly DirectoryReader _directories;

    internal ErofsImageOptions Options { get; }

    /// <summary>The decoded superblock (features, block size, counts, UUID, volume name).</summary>
    public Superblock Superblock => _context.Superblock;
    /// <summary>Per-algorithm settings the image was made with (LZ4 distance, LZMA dictionary, DEFLATE window...).</summary>
    public CompressionConfigs CompressionConfigs => _context.CompressionConfigs;
    /// <summary>Block size in bytes (4096 for most images).</summary>
    public int BlockSize => Superblock.BlockSize;
    /// <summary>Nid of the root directory.</summary>
    public ulong RootNid => Superblock.RootNid;
    /// <summary>The device table: one slot per extra device (blob or tar file), in the order they must be given.</summary>
    public IReadOnlyList<DeviceSlot> DeviceSlots => _context.Devices.Slots;
    /// <summary>Where the image's own bytes are read from (device 0).</summary>
    public IRandomAccessSource Source => _context.Devices.Primary;
    internal DeviceSet Devices => _context.Devices;
    internal Metadata.MetadataReader Metadata => _context.Metadata;

    /// <summary>The decoded-pcluster cache this image uses (its own, or the one given in the options) and its statistics.</summary>
    public DecodedPclusterCache DecodedCache => _context.DecodedCache.Shared;

    /// <summary>Reads of this image served by <see cref="DecodedCache"/> (which may serve other images too).</summary>
    public long DecodedCacheHits => _context.DecodedCache.Hits;

    /// <summary>Pclusters of this image that <see cref="DecodedCache"/> did not hold when a read needed them.</summary>
    public long DecodedCacheMisses => _context.DecodedCache.Misses;

    /// <summary>
    /// Builds the image in order, every part from what is already built: the superblock, configs and devices; a
    /// context whose metadata reader sees the primary device; the packed and metabox inodes (they live there) and a
    /// file reader for their data; then the final context, whose metadata reader also reads inside the metabox, and
    /// the readers the image serves from.
    /// </summary>
    private ErofsImage(IRandomAccessSource primary, IReadOnlyList<IRandomAccessSource> extras, ErofsImageOptions options, bool owns)
    {
        Options = options;
        Superblock sb;
        CompressionConfigs configs;
        DeviceSet devices;
        try
        {
            sb = ReadSuperblock(primary, options.VerifySuperblockChecksum);
            configs = ReadCompressionConfigs(primary, sb);
            devices = new DeviceSet(sb, primary, extras, owns);
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
        try
        {
            var cache = new ImageDecodedCache(options.DecodedCache ?? new DecodedPclusterCache(options.DecodedCacheBytes));
            var primaryMetadata = new MetadataReader(devices, sb.BlockSizeBits, options.MetadataCacheBytes);
            var boot = new ImageContext(sb, configs, devices, primaryMetadata, options.Decompressor ?? DefaultDecompressors.Create(), cache);
            var bootInodes = new InodeLoader(boot);
            boot = boot with
            {
                PackedInode = sb.PackedNid != 0 ? LoadSpecialInode(bootInodes, sb.PackedNid, "packed") : null,
                MetaboxInode = sb.MetaboxNid != 0 || sb.Has(IncompatFeatures.Metabox) ? LoadSpecialInode(bootInodes, sb.MetaboxNid, "metabox") : null,
            };
            if (boot.MetaboxInode is { } metabox)
            {
                var metaboxContent = new MetaboxContent(metabox, new FileDataReader(boot, options.StepsPerReadWindow));
                _context = boot with { Metadata = primaryMetadata.WithMetabox(metaboxContent) };
                _inodes = new InodeLoader(_context);
            }
            else
            {
                _context = boot;
                _inodes = bootInodes;
            }
            _data = new FileDataReader(_context, options.StepsPerReadWindow);
            _xattrs = new XattrReader(_context, _data);
            _directories = new DirectoryReader(_data, sb.BlockSize);
            var root = GetInode(RootNid);
            if (!root.IsDirectory)
                throw new ErofsCorruptImageException("root inode is not a directory", null, RootNid);
        }
        catch
        {
            devices.Dispose();
            throw;
        }
    }

    private static ErofsInode LoadSpecialInode(InodeLoader inodes, ulong nid, string what)
    {
        var inode = inodes.Get(nid);
        if (inode.Type != InodeType.RegularFile)
            throw new ErofsCorruptImageException($"{what} inode is not a regular file", null, nid);
        return inode;
    }

    internal FileDataReader Data => _data;
    internal ErofsInode? PackedInode => _context.PackedInode;
    internal ErofsInode? MetaboxInode => _context.MetaboxInode;

    /// <summary>
    /// Opens an image file (or a block device holding one), with the extra devices named in
    /// <paramref name="options"/>. Disposing the image closes them all.
    /// </summary>
    /// <exception cref="ErofsIoException">A file is missing, unreadable, or cannot be read at random offsets (a pipe).</exception>
    /// <exception cref="ErofsCorruptImageException">The file is not an EROFS image, or its superblock or root is malformed.</exception>
    /// <exception cref="ErofsUnsupportedFeatureException">The image needs a feature this reader does not implement.</exception>
    public static ErofsImage Open(string path, ErofsImageOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        return OpenWithExtraDevices(new FileSource(path), options ?? new ErofsImageOptions());
    }

    /// <summary>
    /// Opens an image held in a seekable, readable stream (a FileStream, a MemoryStream...), with the extra devices
    /// named in <paramref name="options"/>. Reads lock the stream, so concurrent readers of the image take turns; for
    /// parallel reads of a file prefer <see cref="Open(string, ErofsImageOptions?)"/> or
    /// <see cref="Open(SafeFileHandle, ErofsImageOptions?)"/>. The stream must not be used by anyone else while the
    /// image is open.
    /// </summary>
    /// <param name="leaveOpen">Keep the stream open when the image is disposed (default: the image disposes it).</param>
    /// <exception cref="ArgumentException">The stream cannot seek or cannot be read.</exception>
    public static ErofsImage Open(Stream stream, ErofsImageOptions? options = null, bool leaveOpen = false) =>
        OpenWithExtraDevices(new StreamSource(stream, leaveOpen), options ?? new ErofsImageOptions());

    /// <summary>
    /// Opens an image from an open file handle (a regular file or block device, for example from
    /// <see cref="File.OpenHandle"/> or passed in by another process), with the extra devices named in
    /// <paramref name="options"/>. Reads are positional, so any number of threads read in parallel. The handle stays
    /// the caller's: disposing the image does not close it.
    /// </summary>
    /// <exception cref="ArgumentException">The handle is closed or invalid.</exception>
    /// <exception cref="ErofsIoException">The handle is not a regular file or block device (a pipe, a socket).</exception>
    public static ErofsImage Open(SafeFileHandle handle, ErofsImageOptions? options = null) =>
        OpenWithExtraDevices(new FileSource(handle, description: null, ownsHandle: false), options ?? new ErofsImageOptions());

    /// <summary>Opens the extra devices the options name beside <paramref name="primary"/>; the image owns them all.</summary>
    private static ErofsImage OpenWithExtraDevices(IRandomAccessSource primary, ErofsImageOptions options)
    {
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
    public ErofsInode GetInode(ulong nid) => _inodes.Get(nid);

    /// <summary>Closes the files and devices the image opened (sources passed in by the caller stay open).</summary>
    public void Dispose() => _context.Devices.Dispose();
}
