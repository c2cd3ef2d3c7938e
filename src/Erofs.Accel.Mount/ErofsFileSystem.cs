using Erofs.Accel.Core;
using Erofs.Accel.Core.Metadata;
using Erofs.Accel.Format;
using Erofs.Accel.Fuse;

namespace Erofs.Accel.Mount;

/// <summary>
/// Serves an <see cref="ErofsImage"/> through the FUSE server's <see cref="IReadOnlyFileSystem"/>. Inode numbers are
/// EROFS nids, stable for the image. Lookups of missing names, wrong node types and absent xattrs answer their errno;
/// a corrupt structure or a failed read of the storage throws, which the server turns into EIO and a log line for
/// that request only.
/// </summary>
public sealed class ErofsFileSystem : IReadOnlyFileSystem
{
    private static ReadOnlySpan<byte> TrustedPrefix => "trusted."u8;

    private readonly ErofsImage _image;
    private readonly FolderReadahead? _folderReadahead;
    private readonly RecentReads _recentReads = new();

    /// <summary>Serves <paramref name="image"/> (which stays the caller's to dispose) as a read-only FUSE filesystem.</summary>
    public ErofsFileSystem(ErofsImage image)
        : this(image, readAheadAcrossFiles: false)
    {
    }

    /// <summary>
    /// Serves <paramref name="image"/> (which stays the caller's to dispose) as a read-only FUSE filesystem; with
    /// <paramref name="readAheadAcrossFiles"/>, when a folder's first file, or the file after the last one read, is read
    /// whole, the small files that follow it in the folder's order are suggested for the page cache
    /// (<see cref="ReadReply.SuggestPrefillOf"/>, <see cref="FolderReadahead"/>).
    /// Only where the FUSE server serves this filesystem's own inode numbers (not behind a filesystem that renumbers
    /// them).
    /// </summary>
    public ErofsFileSystem(ErofsImage image, bool readAheadAcrossFiles)
    {
        _image = image;
        if (readAheadAcrossFiles) _folderReadahead = new FolderReadahead(image);
    }

    /// <inheritdoc/>
    public ulong RootInode => _image.RootNid;

    /// <inheritdoc/>
    public Errno Lookup(ulong parent, ReadOnlySpan<byte> name, out NodeAttributes attributes)
    {
        attributes = default;
        var dir = Inode(parent);
        if (!dir.IsDirectory) return Errno.ENOTDIR;
        if (name.Length > ErofsConstants.MaxNameLength) return Errno.ENAMETOOLONG;
        var found = _image.Lookup(dir, name);
        if (found is null) return Errno.ENOENT;
        attributes = Attributes(found);
        return Errno.Success;
    }

    /// <inheritdoc/>
    public Errno GetAttributes(ulong inode, out NodeAttributes attributes)
    {
        attributes = Attributes(Inode(inode));
        return Errno.Success;
    }

    /// <inheritdoc/>
    public Errno ReadLink(ulong inode, Span<byte> destination, out int length)
    {
        length = 0;
        var node = Inode(inode);
        if (!node.IsSymlink) return Errno.EINVAL;
        var target = _image.ReadLink(node);
        length = target.Length;
        if (target.Length <= destination.Length) target.CopyTo(destination);
        return Errno.Success;
    }

    /// <inheritdoc/>
    public Errno Read(ulong inode, long offset, int length, ReadReply reply)
    {
        var node = Inode(inode);
        if (node.IsDirectory) return Errno.EISDIR;
        if (!node.IsRegularFile) return Errno.EINVAL;
        if (offset < 0) return Errno.EINVAL;
        int want = Math.Min(length, reply.Remaining);
        if (want <= 0 || (ulong)offset >= node.Size) return Errno.Success;
        // a file named for the page cache that the walk has read meanwhile (it outran the stores): nothing to store
        if (reply.IsPrefill && offset == 0 && length >= (long)node.Size && _folderReadahead?.WalkedPast(inode) == true) return Errno.Success;
        var target = new ReplyTarget(reply);
        int count = _image.Read(node, offset, want, ref target);
        // the server's own reads for the page cache are nobody's access pattern
        if (reply.IsPrefill) return Errno.Success;
        bool sequential = _recentReads.Continues(inode, offset, offset + count);
        if (node.IsCompressed && count > 0 && count < PrefillBelowBytes && !sequential) SuggestExtentPrefill(node, offset, count, reply);
        if (_folderReadahead is not null && offset == 0 && count == (long)node.Size) SuggestFollowingFiles(inode, reply);
        return Errno.Success;
    }

    [ThreadStatic]
    private static List<(ulong Nid, long Size)>? t_followingFiles;

    private void SuggestFollowingFiles(ulong nid, ReadReply reply)
    {
        var next = t_followingFiles ??= new List<(ulong, long)>(FolderReadahead.FilesAhead);
        next.Clear();
        _folderReadahead!.WholeFileRead(nid, next);
        foreach (var (file, size) in next) reply.SuggestPrefillOf(file, 0, size);
    }

    /// <summary>
    /// Where the last reads of a few recently read files ended, to tell a read that continues the one before it (the
    /// kernel reading ahead, which also covers what comes next) from a random one. A direct-mapped table: another file
    /// may take a slot, and concurrent readers may tear one; either only changes whether a hint is given.
    /// </summary>
    private sealed class RecentReads
    {
        private const int Slots = 256;
        private readonly ulong[] _inodes = new ulong[Slots];
        private readonly long[] _ends = new long[Slots];

        /// <summary>True when [start, end) of <paramref name="inode"/> starts where its last read ended; records the read.</summary>
        public bool Continues(ulong inode, long start, long end)
        {
            int slot = (int)(inode * 0x9E3779B97F4A7C15UL >> 56);
            bool continues = Volatile.Read(ref _inodes[slot]) == inode && Volatile.Read(ref _ends[slot]) == start;
            Volatile.Write(ref _inodes[slot], inode);
            Volatile.Write(ref _ends[slot], end);
            return continues;
        }
    }

    /// <summary>
    /// Reads shorter than this are ones the kernel did not read ahead for (a random read asks for one page): their
    /// extents are worth handing to the page cache whole. Longer reads are readahead, which covers what follows.
    /// </summary>
    private const int PrefillBelowBytes = 64 * 1024;

    /// <summary>
    /// Suggests the whole extents a small read of a compressed file fell in: decoding one page of an extent decodes it
    /// all (the decoded bytes stay in the decoded-pcluster cache), and the kernel's EROFS keeps every page of the
    /// extent in its page cache after a read of one, where FUSE would ask again page by page.
    /// </summary>
    private void SuggestExtentPrefill(ErofsInode node, long offset, int count, ReadReply reply)
    {
        long end = offset + count;
        var first = _image.MapCompressedExtent(node, offset);
        var last = end <= first.LogicalEnd ? first : _image.MapCompressedExtent(node, end - 1);
        long start = first.LogicalStart, stop = Math.Min(last.LogicalEnd, (long)node.Size);
        if (start < offset || stop > end) reply.SuggestPrefill(start, stop - start);
    }

    /// <summary>
    /// Lets the reader write into the reply buffer and hand cached decoded bytes to the kernel by writev without a
    /// copy: each piece comes with a lease on its (pinned) array, which the reply disposes once it is written.
    /// </summary>
    private readonly struct ReplyTarget(ReadReply reply) : IReadTarget
    {
        public Span<byte> Buffer => reply.GetSpan();

        public void Advance(int count) => reply.Advance(count);

        public int SharedPiecesLeft => reply.SegmentsLeft;

        public void AddShared(ReadOnlyMemory<byte> piece, IDisposable lease) => reply.AddSegment(piece, lease);
    }

    /// <inheritdoc/>
    public Errno ReadDirectory(ulong inode, long offset, DirectoryListing listing) => ReadDirectory(inode, offset, listing, static e => e.Nid);

    /// <summary>
    /// Lists a directory, giving each entry the inode number <paramref name="inodeOf"/> picks for it: for a filesystem
    /// that serves this image under inode numbers of its own (several images in one namespace).
    /// </summary>
    public Errno ReadDirectory(ulong inode, long offset, DirectoryListing listing, Func<DirectoryEntry, ulong> inodeOf)
    {
        var dir = Inode(inode);
        if (!dir.IsDirectory) return Errno.ENOTDIR;
        if (offset == 0) _folderReadahead?.Learn(dir);
        foreach (var e in _image.ListDirectory(dir, offset))
            if (!listing.TryAdd(e.Name, inodeOf(e), TypeOf(e.FileType), e.NextCookie)) break;
        return Errno.Success;
    }

    /// <inheritdoc/>
    public Errno GetExtendedAttribute(ulong inode, ReadOnlySpan<byte> name, Span<byte> destination, out int length)
    {
        length = 0;
        var value = _image.GetXattr(Inode(inode), name);
        if (value is null) return Errno.ENODATA;
        length = value.Length;
        if (value.Length <= destination.Length) value.CopyTo(destination);
        return Errno.Success;
    }

    /// <summary>
    /// Lists what the kernel's EROFS lists to the same caller (erofs_listxattr): trusted.* only to a caller with
    /// CAP_SYS_ADMIN, everything else (user.*, security.*, the POSIX ACLs) to anyone. Reading a hidden name is refused
    /// by the VFS before it reaches us, as on the kernel's mount.
    /// </summary>
    public Errno ListExtendedAttributes(ulong inode, in RequestCaller caller, Span<byte> destination, out int length)
    {
        var xattrs = _image.ListXattrs(Inode(inode));
        bool? privileged = null;
        var visible = new List<Xattr>(xattrs.Count);
        foreach (var x in xattrs)
        {
            if (x.Name.AsSpan().StartsWith(TrustedPrefix) && !(privileged ??= caller.HasCapability(RequestCaller.SystemAdministratorCapability)))
                continue;
            visible.Add(x);
        }
        length = 0;
        foreach (var x in visible) length += x.Name.Length + 1;
        if (length > destination.Length) return Errno.Success;
        int at = 0;
        foreach (var x in visible)
        {
            x.Name.CopyTo(destination[at..]);
            at += x.Name.Length;
            destination[at++] = 0;
        }
        return Errno.Success;
    }

    /// <inheritdoc/>
    public FileSystemStatistics GetStatistics()
    {
        var sb = _image.Superblock;
        ulong blocks = sb.Blocks;
        foreach (var d in _image.DeviceSlots) blocks += d.Blocks;
        return new FileSystemStatistics(blocks, (uint)sb.BlockSize, sb.InodeCount);
    }

    /// <summary>Loads an inode the kernel names; a nid the image does not hold answers ENOENT.</summary>
    private ErofsInode Inode(ulong nid)
    {
        try
        {
            return _image.GetInode(nid);
        }
        catch (ErofsNotFoundException e)
        {
            throw new FileSystemErrorException(Errno.ENOENT, e.Message);
        }
    }

    /// <summary>Attributes as the kernel's EROFS reports them: one timestamp for atime, mtime and ctime.</summary>
    public static NodeAttributes Attributes(ErofsInode node)
    {
        var a = new NodeAttributes
        {
            Inode = node.Nid,
            Size = node.Type is InodeType.RegularFile or InodeType.Directory or InodeType.Symlink ? node.Size : 0,
            Blocks = node.AllocatedBytes / 512,
            Mode = node.Mode,
            LinkCount = node.LinkCount,
            UserId = node.Uid,
            GroupId = node.Gid,
            DeviceNumber = node.Type is InodeType.CharDevice or InodeType.BlockDevice ? EncodeDevice(node.RdevMajor, node.RdevMinor) : 0,
        };
        a.SetAllTimes(node.MtimeSeconds, node.MtimeNanoseconds);
        return a;
    }

    /// <summary>Linux new_encode_dev: what FUSE carries in its 32-bit rdev.</summary>
    public static uint EncodeDevice(uint major, uint minor) => (minor & 0xFF) | ((major & 0xFFF) << 8) | ((minor & ~0xFFu) << 12);

    private static FileType TypeOf(DirentFileType t) => t switch
    {
        DirentFileType.RegularFile => FileType.RegularFile,
        DirentFileType.Directory => FileType.Directory,
        DirentFileType.CharDevice => FileType.CharacterDevice,
        DirentFileType.BlockDevice => FileType.BlockDevice,
        DirentFileType.Fifo => FileType.Fifo,
        DirentFileType.Socket => FileType.Socket,
        DirentFileType.Symlink => FileType.SymbolicLink,
        _ => FileType.Unknown,
    };
}
