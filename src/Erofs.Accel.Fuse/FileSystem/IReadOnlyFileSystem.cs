namespace Erofs.Accel.Fuse;

/// <summary>
/// The read-only filesystem the FUSE server exports. Nodes are named by the filesystem's own inode numbers (stable for
/// the life of the mount; the server maps them to FUSE node ids). Names are raw bytes. Every method answers
/// <see cref="Errno.Success"/> or an errno, or throws <see cref="FileSystemErrorException"/>; any other exception
/// becomes EIO for that request. Methods are called concurrently from several threads and must be thread-safe.
/// </summary>
public interface IReadOnlyFileSystem
{
    /// <summary>Inode number of the root directory.</summary>
    ulong RootInode { get; }

    /// <summary>Finds <paramref name="name"/> (one path component, never "." or "..") in directory <paramref name="parent"/>.</summary>
    Errno Lookup(ulong parent, ReadOnlySpan<byte> name, out NodeAttributes attributes);

    /// <summary>Attributes of a node.</summary>
    Errno GetAttributes(ulong inode, out NodeAttributes attributes);

    /// <summary>
    /// Target of a symbolic link. Sets <paramref name="length"/> to the full target length and copies the target into
    /// <paramref name="destination"/> when it fits (the server answers ENAMETOOLONG when it does not).
    /// </summary>
    Errno ReadLink(ulong inode, Span<byte> destination, out int length);

    /// <summary>
    /// Reads up to <paramref name="length"/> bytes at <paramref name="offset"/> of a regular file into
    /// <paramref name="reply"/>. Fewer bytes than asked means end of file; none at or past the end.
    /// </summary>
    Errno Read(ulong inode, long offset, int length, ReadReply reply);

    /// <summary>
    /// Lists directory <paramref name="inode"/> from cookie <paramref name="offset"/> (0 = the start, otherwise a cookie
    /// given earlier with <see cref="DirectoryListing.TryAdd"/>) until the listing is full or the directory ends.
    /// Include "." and ".." if the directory has them.
    /// </summary>
    Errno ReadDirectory(ulong inode, long offset, DirectoryListing listing);

    /// <summary>
    /// Value of extended attribute <paramref name="name"/> (full name with namespace prefix, e.g. "user.x"). Sets
    /// <paramref name="length"/> to the value length and copies the value into <paramref name="destination"/> when it
    /// fits. ENODATA when the node has no such attribute.
    /// </summary>
    Errno GetExtendedAttribute(ulong inode, ReadOnlySpan<byte> name, Span<byte> destination, out int length);

    /// <summary>
    /// Names of the extended attributes <paramref name="caller"/> may see, each followed by a NUL byte (the kernel, for
    /// one, lists trusted.* only to callers with CAP_SYS_ADMIN: see <see cref="RequestCaller.HasCapability"/>). Sets
    /// <paramref name="length"/> to the full list length and copies the list into <paramref name="destination"/> when
    /// it fits.
    /// </summary>
    Errno ListExtendedAttributes(ulong inode, in RequestCaller caller, Span<byte> destination, out int length);

    /// <summary>Totals for statfs(2).</summary>
    FileSystemStatistics GetStatistics();
}
