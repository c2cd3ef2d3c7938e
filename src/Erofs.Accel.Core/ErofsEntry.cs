using System.Text;

namespace Erofs.Accel.Core;

/// <summary>What kind of file an <see cref="ErofsEntry"/> is (the S_IFMT part of its mode).</summary>
public enum ErofsEntryType
{
    /// <summary>A regular file: <see cref="ErofsEntry.OpenRead"/> reads its contents.</summary>
    RegularFile,
    /// <summary>A directory: <see cref="ErofsEntry.EnumerateDirectory"/> lists it.</summary>
    Directory,
    /// <summary>A symbolic link: <see cref="ErofsEntry.LinkTarget"/> holds where it points.</summary>
    SymbolicLink,
    /// <summary>A character device node (<see cref="ErofsEntry.DeviceMajor"/>, <see cref="ErofsEntry.DeviceMinor"/>).</summary>
    CharacterDevice,
    /// <summary>A block device node (<see cref="ErofsEntry.DeviceMajor"/>, <see cref="ErofsEntry.DeviceMinor"/>).</summary>
    BlockDevice,
    /// <summary>A named pipe.</summary>
    Fifo,
    /// <summary>A Unix domain socket node.</summary>
    Socket,
}

/// <summary>
/// A file, directory, link or special node of an image, reached by path or by listing a directory (the counterpart of
/// TarEntry or ZipArchiveEntry). Cheap to create: the name, path, nid and type come from the directory entry, and the
/// inode is loaded on first use of an attribute that needs it (<see cref="Mode"/>, <see cref="Length"/>, ...).
/// Valid while its <see cref="Image"/> is open; safe to use from several threads.
/// </summary>
public sealed class ErofsEntry
{
    private readonly byte[] _rawName;
    private readonly byte[] _rawPath;
    private readonly ErofsEntryType? _direntType;
    private ErofsInode? _inode;
    private byte[]? _linkTarget;

    internal ErofsEntry(ErofsImage image, byte[] rawPath, byte[] rawName, ulong nid, DirentFileType direntType, ErofsInode? inode)
    {
        Image = image;
        _rawPath = rawPath;
        _rawName = rawName;
        Nid = nid;
        _direntType = FromDirent(direntType);
        _inode = inode;
    }

    /// <summary>The image the entry belongs to.</summary>
    public ErofsImage Image { get; }

    /// <summary>Inode id within the image; hardlinks of one file share it.</summary>
    public ulong Nid { get; }

    /// <summary>
    /// The last component of the path as text ("" for the root). Bytes that are not valid UTF-8 appear as U+FFFD;
    /// <see cref="RawName"/> has them as stored.
    /// </summary>
    public string Name => Encoding.UTF8.GetString(_rawName);

    /// <summary>The name exactly as stored in the directory (EROFS names are bytes, not necessarily UTF-8).</summary>
    public ReadOnlyMemory<byte> RawName => _rawName;

    /// <summary>The path from the image root, '/'-separated and starting with '/' ("/" for the root), as text.</summary>
    public string FullPath => Encoding.UTF8.GetString(_rawPath);

    /// <summary>The path from the image root as raw bytes (see <see cref="RawName"/>).</summary>
    public ReadOnlyMemory<byte> RawFullPath => _rawPath;

    /// <summary>The inode, loaded (and cached by the image) on first use.</summary>
    public ErofsInode Inode => _inode ??= Image.GetInode(Nid);

    /// <summary>What kind of node this is; taken from the directory entry when it records one, without loading the inode.</summary>
    public ErofsEntryType EntryType => _direntType ?? FromInode(Inode);

    /// <summary>Permission bits, setuid, setgid and sticky included (the mode without its file type).</summary>
    public UnixFileMode Mode => (UnixFileMode)Inode.Permissions;

    /// <summary>Owner's user id (EROFS ids are unsigned 32-bit).</summary>
    public long Uid => Inode.Uid;

    /// <summary>Owner's group id (EROFS ids are unsigned 32-bit).</summary>
    public long Gid => Inode.Gid;

    /// <summary>
    /// Size in bytes as stat reports it: the file's length, the symlink target's length, a directory's on-disk size,
    /// 0 for devices, FIFOs and sockets.
    /// </summary>
    public long Length => (long)Math.Min(Inode.Size, long.MaxValue);

    /// <summary>Number of hard links to the inode (directories count their subdirectories' "..").</summary>
    public long LinkCount => Inode.LinkCount;

    /// <summary>
    /// Last modification time in UTC, to the nanosecond the image stores rounded down to 100 ns ticks; times outside
    /// years 1..9999 are clamped (<see cref="ErofsInode.MtimeSeconds"/> has the exact value).
    /// </summary>
    public DateTimeOffset ModificationTime => ToDateTimeOffset(Inode.MtimeSeconds, Inode.MtimeNanoseconds);

    /// <summary>Device major number of a device node; 0 for other entries.</summary>
    public int DeviceMajor => IsDevice ? (int)Inode.RdevMajor : 0;

    /// <summary>Device minor number of a device node; 0 for other entries.</summary>
    public int DeviceMinor => IsDevice ? (int)Inode.RdevMinor : 0;

    /// <summary>
    /// Where a symbolic link points, as text (invalid UTF-8 as U+FFFD), exactly as readlink(2) on a kernel mount
    /// returns it; null for other entries.
    /// </summary>
    public string? LinkTarget => EntryType == ErofsEntryType.SymbolicLink ? Encoding.UTF8.GetString(LinkTargetBytes()) : null;

    /// <summary>The symlink target as stored (raw bytes); empty for other entries.</summary>
    public ReadOnlyMemory<byte> RawLinkTarget => EntryType == ErofsEntryType.SymbolicLink ? LinkTargetBytes() : ReadOnlyMemory<byte>.Empty;

    private bool IsDevice => EntryType is ErofsEntryType.CharacterDevice or ErofsEntryType.BlockDevice;

    /// <summary>Whether the inode has been loaded (tests check that listing alone does not load it).</summary>
    internal bool InodeLoaded => _inode is not null;

    private byte[] LinkTargetBytes() => _linkTarget ??= Image.ReadLink(Inode);

    /// <summary>
    /// Opens the contents of a regular file as a read-only, seekable stream (one reader; open several for parallel
    /// reads). Disposing the stream leaves the image open.
    /// </summary>
    /// <exception cref="InvalidOperationException">The entry is not a regular file.</exception>
    public Stream OpenRead()
    {
        if (!Inode.IsRegularFile)
            throw new InvalidOperationException($"{FullPath}: is a {Describe(FromInode(Inode))}, not a regular file");
        return new ErofsFileStream(Image, Inode);
    }

    /// <summary>
    /// The entries of this directory in on-disk order (sorted by name bytes), without "." and "..". Enumerating reads
    /// the directory lazily; each entry's inode is loaded only when needed.
    /// </summary>
    /// <exception cref="ErofsNotFoundException">The entry is not a directory (<see cref="ErofsErrorKind.NotADirectory"/>).</exception>
    public IEnumerable<ErofsEntry> EnumerateDirectory()
    {
        if (!Inode.IsDirectory)
            throw new ErofsNotFoundException($"{FullPath}: not a directory", ErofsErrorKind.NotADirectory, Nid);
        return Image.ListChildren(this);
    }

    /// <summary>The full path.</summary>
    public override string ToString() => FullPath;

    internal static string Describe(ErofsEntryType type) => type switch
    {
        ErofsEntryType.RegularFile => "regular file",
        ErofsEntryType.Directory => "directory",
        ErofsEntryType.SymbolicLink => "symbolic link",
        ErofsEntryType.CharacterDevice => "character device",
        ErofsEntryType.BlockDevice => "block device",
        ErofsEntryType.Fifo => "FIFO",
        _ => "socket",
    };

    internal static DateTimeOffset ToDateTimeOffset(long seconds, uint nanoseconds)
    {
        const long MinSeconds = -62135596800; // 0001-01-01T00:00:00Z
        const long MaxSeconds = 253402300799; // 9999-12-31T23:59:59Z
        if (seconds < MinSeconds) return DateTimeOffset.MinValue;
        if (seconds > MaxSeconds) return DateTimeOffset.MaxValue;
        return DateTimeOffset.FromUnixTimeSeconds(seconds).AddTicks(Math.Min(nanoseconds, 999_999_999u) / 100);
    }

    private static ErofsEntryType? FromDirent(DirentFileType type) => type switch
    {
        DirentFileType.RegularFile => ErofsEntryType.RegularFile,
        DirentFileType.Directory => ErofsEntryType.Directory,
        DirentFileType.Symlink => ErofsEntryType.SymbolicLink,
        DirentFileType.CharDevice => ErofsEntryType.CharacterDevice,
        DirentFileType.BlockDevice => ErofsEntryType.BlockDevice,
        DirentFileType.Fifo => ErofsEntryType.Fifo,
        DirentFileType.Socket => ErofsEntryType.Socket,
        _ => null,
    };

    /// <summary>The inode's type (the inode parser refuses unknown types, so every inode has one of these).</summary>
    private static ErofsEntryType FromInode(ErofsInode inode) => inode.Type switch
    {
        InodeType.RegularFile => ErofsEntryType.RegularFile,
        InodeType.Directory => ErofsEntryType.Directory,
        InodeType.Symlink => ErofsEntryType.SymbolicLink,
        InodeType.CharDevice => ErofsEntryType.CharacterDevice,
        InodeType.BlockDevice => ErofsEntryType.BlockDevice,
        InodeType.Fifo => ErofsEntryType.Fifo,
        InodeType.Socket => ErofsEntryType.Socket,
        _ => throw new ErofsCorruptImageException("inode has no known file type", null, inode.Nid),
    };
}
