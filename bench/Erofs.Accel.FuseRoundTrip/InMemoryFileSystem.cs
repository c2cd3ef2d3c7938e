using Erofs.Accel.Fuse;

namespace Erofs.Accel.FuseRoundTrip;

/// <summary>
/// The smallest filesystem that exercises the request path: a root directory holding one file whose bytes live in
/// memory. Reads copy into the reply buffer, or (<c>segments</c>) hand the bytes over as a zero-copy segment.
/// </summary>
internal sealed class InMemoryFileSystem(byte[] content, bool segments) : IReadOnlyFileSystem
{
    public const string FileName = "data";
    private const ulong RootInodeNumber = 1, FileInode = 2;
    private static readonly byte[] Name = "data"u8.ToArray();

    public ulong RootInode => RootInodeNumber;

    public Errno Lookup(ulong parent, ReadOnlySpan<byte> name, out NodeAttributes attributes)
    {
        attributes = default;
        if (parent != RootInodeNumber || !name.SequenceEqual(Name)) return Errno.ENOENT;
        return GetAttributes(FileInode, out attributes);
    }

    public Errno GetAttributes(ulong inode, out NodeAttributes attributes)
    {
        attributes = default;
        if (inode is not (RootInodeNumber or FileInode)) return Errno.ENOENT;
        attributes.Inode = inode;
        attributes.Mode = inode == RootInodeNumber ? 0x41EDu : 0x81A4u; // drwxr-xr-x, -rw-r--r--
        attributes.LinkCount = inode == RootInodeNumber ? 2u : 1u;
        attributes.Size = inode == FileInode ? (ulong)content.Length : 4096;
        attributes.BlockSize = 4096;
        attributes.Blocks = (attributes.Size + 511) / 512;
        return Errno.Success;
    }

    public Errno ReadLink(ulong inode, Span<byte> destination, out int length)
    {
        length = 0;
        return Errno.EINVAL;
    }

    public Errno Read(ulong inode, long offset, int length, ReadReply reply)
    {
        if (inode != FileInode) return Errno.EISDIR;
        if (offset >= content.Length) return Errno.Success;
        var count = (int)Math.Min(length, content.Length - offset);
        if (segments) reply.AddSegment(content.AsMemory((int)offset, count));
        else reply.Write(content.AsSpan((int)offset, count));
        return Errno.Success;
    }

    public Errno ReadDirectory(ulong inode, long offset, DirectoryListing listing)
    {
        if (inode != RootInodeNumber) return Errno.ENOTDIR;
        if (offset < 1 && !listing.TryAdd("."u8, RootInodeNumber, FileType.Directory, 1)) return Errno.Success;
        if (offset < 2 && !listing.TryAdd(".."u8, RootInodeNumber, FileType.Directory, 2)) return Errno.Success;
        if (offset < 3) listing.TryAdd(Name, FileInode, FileType.RegularFile, 3);
        return Errno.Success;
    }

    public Errno GetExtendedAttribute(ulong inode, ReadOnlySpan<byte> name, Span<byte> destination, out int length)
    {
        length = 0;
        return Errno.ENODATA;
    }

    public Errno ListExtendedAttributes(ulong inode, in RequestCaller caller, Span<byte> destination, out int length)
    {
        length = 0;
        return Errno.Success;
    }

    public FileSystemStatistics GetStatistics() => new((ulong)content.Length / 4096 + 1, 4096, 2);
}
