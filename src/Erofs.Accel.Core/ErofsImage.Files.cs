using System.Text;
using Erofs.Accel.Core.Data;
using Erofs.Accel.Core.Metadata;

namespace Erofs.Accel.Core;

public sealed partial class ErofsImage
{
    private DirectoryReader? _dirs;
    private DirectoryReader Dirs => _dirs ??= new DirectoryReader(this);

    /// <summary>Most symlinks followed while resolving one path (like the kernel's ELOOP limit).</summary>
    public const int MaxSymlinkFollows = 40;

    /// <summary>Looks up one name (raw bytes) in a directory; null when absent.</summary>
    public ErofsInode? Lookup(ErofsInode directory, ReadOnlySpan<byte> name) =>
        Dirs.TryLookup(directory, name, out ulong nid, out _) ? GetInode(nid) : null;

    /// <summary>Looks up one name in a directory; null when absent.</summary>
    public ErofsInode? Lookup(ErofsInode directory, string name) => Lookup(directory, Encoding.UTF8.GetBytes(name));

    /// <summary>Lists a directory in on-disk (sorted) order, "." and ".." included, resuming after a cookie.</summary>
    public IEnumerable<DirectoryEntry> ListDirectory(ErofsInode directory, long cookie = 0) => Dirs.Enumerate(directory, cookie);

    /// <summary>
    /// Resolves an absolute or root-relative path (raw bytes, '/'-separated). Symlinks in the middle are followed;
    /// the last component is followed only when <paramref name="followLastSymlink"/> is set.
    /// Throws <see cref="ErofsNotFoundException"/> when a component is missing or not a directory.
    /// </summary>
    public ErofsInode Resolve(ReadOnlySpan<byte> path, bool followLastSymlink = false)
    {
        int follows = 0;
        return ResolveFrom(Root, path, followLastSymlink, ref follows);
    }

    /// <summary>Resolves a path given as text (UTF-8).</summary>
    public ErofsInode Resolve(string path, bool followLastSymlink = false) => Resolve(Encoding.UTF8.GetBytes(path), followLastSymlink);

    /// <summary>Like <see cref="Resolve(string, bool)"/> but returns null instead of throwing NotFound.</summary>
    public ErofsInode? TryResolve(string path, bool followLastSymlink = false)
    {
        try { return Resolve(path, followLastSymlink); }
        catch (ErofsNotFoundException) { return null; }
    }

    private ErofsInode ResolveFrom(ErofsInode start, ReadOnlySpan<byte> path, bool followLast, ref int follows)
    {
        var dir = path.Length > 0 && path[0] == (byte)'/' ? Root : start;
        var cur = dir;
        int i = 0;
        while (true)
        {
            while (i < path.Length && path[i] == (byte)'/') i++;
            if (i >= path.Length) return cur;
            int j = path[i..].IndexOf((byte)'/');
            int end = j < 0 ? path.Length : i + j;
            var name = path[i..end];
            bool isLast = path[end..].IndexOfAnyExcept((byte)'/') < 0;
            if (!cur.IsDirectory)
                throw new ErofsNotFoundException($"{Encoding.UTF8.GetString(path[..i])}: not a directory", ErofsErrorKind.NotADirectory, cur.Nid);
            if (name.Length > ErofsConstants.MaxNameLength)
                throw new ErofsNotFoundException($"{Encoding.UTF8.GetString(path[..end])}: name too long");
            var next = Lookup(cur, name)
                ?? throw new ErofsNotFoundException($"{Encoding.UTF8.GetString(path[..end])}: no such file or directory");
            if (next.IsSymlink && (!isLast || followLast))
            {
                if (++follows > MaxSymlinkFollows)
                    throw new ErofsNotFoundException($"{Encoding.UTF8.GetString(path[..end])}: too many levels of symbolic links");
                var target = ReadLink(next);
                next = ResolveFrom(cur, target, true, ref follows);
            }
            cur = next;
            i = end;
        }
    }

    /// <summary>Reads file bytes at <paramref name="offset"/>; returns how many (fewer only at end of file).</summary>
    public int Read(ErofsInode inode, long offset, Span<byte> destination)
    {
        if (inode.IsDirectory) throw new ErofsNotFoundException("is a directory", ErofsErrorKind.IsADirectory, inode.Nid);
        return _data.Read(inode, offset, destination);
    }

    /// <summary>Async form of <see cref="Read(ErofsInode, long, Span{byte})"/>.</summary>
    public ValueTask<int> ReadAsync(ErofsInode inode, long offset, Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Read(inode, offset, destination.Span));
    }

    /// <summary>Reads a whole file into a new array (refuses files over 2 GiB).</summary>
    public byte[] ReadAllBytes(ErofsInode inode)
    {
        if (inode.Size > int.MaxValue - 64) throw new ErofsUnsupportedFeatureException($"file of {inode.Size} bytes is too large to read into one array", null, inode.Nid);
        var buf = new byte[inode.Size];
        int n = Read(inode, 0, buf);
        if (n != buf.Length) throw new ErofsCorruptImageException("file ended early", null, inode.Nid);
        return buf;
    }

    /// <summary>Reads the raw bytes of a directory (dirent blocks), for tools and tests.</summary>
    internal int ReadRaw(ErofsInode inode, long offset, Span<byte> destination) => _data.Read(inode, offset, destination);

    /// <summary>
    /// Longest symlink target the kernel's readlink returns for a target stored outside the inode's block: one page
    /// less the terminating NUL (page_get_link). 4095 bytes with 4 KiB pages.
    /// </summary>
    public static int MaxPagedSymlinkTarget { get; } = Math.Max(Environment.SystemPageSize, 4096) - 1;

    /// <summary>
    /// Target of a symlink (raw bytes) exactly as the kernel's readlink(2) returns it, so ls, manifest, extract and the
    /// mount agree with a kernel mount of the image. A target stored inline in the inode's block (a "fast symlink",
    /// erofs_fill_symlink) is its whole <see cref="ErofsInode.Size"/>; any other is read from its first page and cut
    /// to <see cref="MaxPagedSymlinkTarget"/> bytes, whatever size the inode claims (so a hostile 1 GiB target costs
    /// one page). Either way the target ends at its first NUL byte, as the kernel's C string does.
    /// </summary>
    public byte[] ReadLink(ErofsInode inode)
    {
        if (!inode.IsSymlink) throw new ErofsNotFoundException("not a symbolic link", ErofsErrorKind.NotASymlink, inode.Nid);
        int length = IsFastSymlink(inode) ? (int)inode.Size : (int)Math.Min(inode.Size, (ulong)MaxPagedSymlinkTarget);
        var buf = new byte[length];
        if (_data.Read(inode, 0, buf) != buf.Length) throw new ErofsCorruptImageException("symlink target truncated", null, inode.Nid);
        int nul = Array.IndexOf(buf, (byte)0);
        return nul < 0 ? buf : buf[..nul];
    }

    /// <summary>
    /// Whether the kernel keeps this symlink's target from the inode block itself: an inline layout whose target ends
    /// inside the block where the inode core ends (an extended core may spill into the next block).
    /// </summary>
    private static bool IsFastSymlink(ErofsInode inode)
    {
        if (inode.Layout != DataLayout.FlatInline || inode.Size > int.MaxValue) return false;
        long blockSize = 1L << inode.BlockBits;
        long afterCore = inode.Position % blockSize + inode.Core.CoreSize;
        if (afterCore > blockSize) afterCore -= blockSize;
        return afterCore + inode.Core.XattrInlineSize + (long)inode.Size <= blockSize;
    }

    /// <summary>All xattrs a listxattr would show (inline then shared), with values.</summary>
    public IReadOnlyList<Xattr> ListXattrs(ErofsInode inode) => Xattrs.List(inode);

    /// <summary>Value of one xattr by full name (for example "user.foo", "system.posix_acl_access"), or null.</summary>
    public byte[]? GetXattr(ErofsInode inode, ReadOnlySpan<byte> name) => Xattrs.Get(inode, name);

    /// <summary>Value of one xattr by full name, or null.</summary>
    public byte[]? GetXattr(ErofsInode inode, string name) => GetXattr(inode, Encoding.UTF8.GetBytes(name));

    /// <summary>True when the image records content fingerprints (compat <c>ishare_xattrs</c>).</summary>
    public bool HasContentFingerprints => Superblock.Has(CompatFeatures.InodeShareXattrs);

    /// <summary>
    /// The content fingerprint of a file as the image records it (the raw value of the inode-sharing xattr that
    /// <c>mkfs.erofs --xattr-inode-digest</c> writes: "sha256:" followed by the 32-byte digest), or null when the image
    /// or the inode has none. Equal fingerprints mean equal contents, whatever the compression of each image. The
    /// value is the image's claim, not checked against the data.
    /// </summary>
    public byte[]? GetContentFingerprint(ErofsInode inode) => Xattrs.GetInodeShareValue(inode);

    /// <summary>
    /// Every extent of a compressed file in order (holes, stored, fragment and compressed ones), each once.
    /// </summary>
    public IEnumerable<Extent> EnumerateExtents(ErofsInode inode)
    {
        if (!inode.IsCompressed) yield break;
        long x = 0;
        long size = (long)inode.Size;
        while (x < size)
        {
            var e = _data.MapExtent(inode, x);
            yield return e;
            x = e.LogicalEnd;
        }
    }

    /// <summary>Reads a compressed extent's pcluster and the parameters to decode it (tools, benchmarks, tests).</summary>
    public CompressedPcluster ReadPcluster(ErofsInode inode, Extent extent)
    {
        if (extent.Kind != ExtentKind.Compressed) throw new ArgumentException("extent is not compressed", nameof(extent));
        return _data.ReadPcluster(inode, extent);
    }

    /// <summary>Every compressed pcluster of the image (each distinct one once), walking the whole tree.</summary>
    public IEnumerable<CompressedPcluster> EnumeratePclusters()
    {
        var seen = new HashSet<(int, long, bool)>();
        var inodes = new HashSet<ulong>();
        foreach (var node in Export.TreeWalker.Walk(this))
        {
            if (!node.Inode.IsCompressed || !inodes.Add(node.Inode.Nid)) continue;
            foreach (var e in EnumerateExtents(node.Inode))
                if (e.Kind == ExtentKind.Compressed && seen.Add((e.Device, e.PhysicalAddress, e.InMetadata)))
                    yield return ReadPcluster(node.Inode, e);
        }
        foreach (var special in new[] { PackedInode, MetaboxInode })
        {
            if (special is null || !special.IsCompressed || !inodes.Add(special.Nid)) continue;
            foreach (var e in EnumerateExtents(special))
                if (e.Kind == ExtentKind.Compressed && seen.Add((e.Device, e.PhysicalAddress, e.InMetadata)))
                    yield return ReadPcluster(special, e);
        }
    }

    /// <summary>The extent holding byte <paramref name="offset"/> of a compressed file (for tools and benchmarks).</summary>
    public Extent MapCompressedExtent(ErofsInode inode, long offset)
    {
        if (!inode.IsCompressed) throw new ArgumentException("inode is not compressed", nameof(inode));
        return _data.MapExtent(inode, offset);
    }
}
