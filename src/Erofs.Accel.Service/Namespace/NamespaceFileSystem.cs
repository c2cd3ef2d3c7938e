using System.Text;
using Erofs.Accel.Core;
using Erofs.Accel.Format;
using Erofs.Accel.Fuse;
using Erofs.Accel.Service.Images;
using Erofs.Accel.Service.Metrics;

namespace Erofs.Accel.Service.Namespace;

/// <summary>
/// Every attached image as a folder of one read-only filesystem: <c>ROOT/NAME/...</c>. Requests on a file go to that
/// image's <see cref="ImageFileSystem"/> (so attributes, xattrs and errors are exactly those of a mount of the image
/// alone) under a lease, with inode numbers from <see cref="NamespaceInode"/>. Regular files with equal content
/// fingerprints and attributes are one shared node (<see cref="SharedContentIndex"/>): LOOKUP answers them with the
/// same inode, so the kernel keeps one page-cache copy; their reads are served by any image holding them, the next
/// one when an image fails. Images come and go while mounted; their folder's name must then be invalidated in the
/// kernel by whoever holds the FUSE server.
/// </summary>
public sealed class NamespaceFileSystem : IReadOnlyFileSystem
{
    private const uint DirectoryMode = 0x4000 | 0x1ED; // S_IFDIR | 0755

    private readonly object _gate = new();
    private readonly SharedContentIndex _shared = new();
    private Dictionary<string, AttachedImage> _byName = new(StringComparer.Ordinal);
    private Dictionary<int, AttachedImage> _bySerial = new();
    private AttachedImage[] _ordered = Array.Empty<AttachedImage>();
    private long _changedTicks = DateTimeOffset.UtcNow.UtcTicks;

    /// <inheritdoc/>
    public ulong RootInode => NamespaceInode.Root;

    /// <summary>The images in the namespace, in the order they were attached.</summary>
    public IReadOnlyList<AttachedImage> Images => Volatile.Read(ref _ordered);

    /// <summary>How many files of the namespace share one node by content fingerprint, and across how many images.</summary>
    public SharingStatistics SharingStatistics => _shared.Snapshot();

    /// <summary>Adds an image as folder <see cref="AttachedImage.Name"/>; false when the name is taken.</summary>
    public bool TryAdd(AttachedImage image)
    {
        lock (_gate)
        {
            if (_byName.ContainsKey(image.Name)) return false;
            _byName = new Dictionary<string, AttachedImage>(_byName, StringComparer.Ordinal) { [image.Name] = image };
            _bySerial = new Dictionary<int, AttachedImage>(_bySerial) { [image.Serial] = image };
            _ordered = _ordered.Append(image).ToArray();
            Volatile.Write(ref _changedTicks, DateTimeOffset.UtcNow.UtcTicks);
            return true;
        }
    }

    /// <summary>Takes an image out: its folder disappears and its files stop backing shared nodes.</summary>
    public bool Remove(AttachedImage image)
    {
        lock (_gate)
        {
            if (!_bySerial.ContainsKey(image.Serial)) return false;
            var byName = new Dictionary<string, AttachedImage>(_byName, StringComparer.Ordinal);
            byName.Remove(image.Name);
            var bySerial = new Dictionary<int, AttachedImage>(_bySerial);
            bySerial.Remove(image.Serial);
            _byName = byName;
            _bySerial = bySerial;
            _ordered = _ordered.Where(i => i != image).ToArray();
            Volatile.Write(ref _changedTicks, DateTimeOffset.UtcNow.UtcTicks);
        }
        _shared.Remove(image);
        return true;
    }

    /// <summary>
    /// Which images a file the kernel holds (inode number as st_ino shows it) keeps busy: its image, or for a shared
    /// node the images behind it, unless one that is not being removed remains.
    /// </summary>
    public bool KeepsBusy(ulong inode, AttachedImage image)
    {
        if (inode == NamespaceInode.Root) return false;
        if (NamespaceInode.IsShared(inode))
        {
            var holders = _shared.HoldersOf(NamespaceInode.SharedSerial(inode));
            return holders.Any(h => h.Image == image) && !_shared.HasOtherHolder(NamespaceInode.SharedSerial(inode), image);
        }
        return NamespaceInode.TryDecode(inode, out var serial, out _) && serial == image.Serial;
    }

    /// <inheritdoc/>
    public Errno Lookup(ulong parent, ReadOnlySpan<byte> name, out NodeAttributes attributes)
    {
        attributes = default;
        if (parent == NamespaceInode.Root)
        {
            if (!TryGetByName(name, out var image)) return Errno.ENOENT;
            var root = ImageAttributes(image, image.Image.RootNid, out attributes);
            if (root == Errno.Success) attributes.Inode = ImageInode(image, image.Image.RootNid);
            return root;
        }
        if (NamespaceInode.IsShared(parent)) return Errno.ENOTDIR;
        if (!TryResolve(parent, out var owner, out var dir)) return Errno.ESTALE;
        if (!owner.TryAcquire()) return Errno.ESTALE;
        try
        {
            var errno = owner.FileSystem.Lookup(dir, name, out attributes);
            if (errno != Errno.Success) return errno;
            var inode = InodeOf(owner, attributes);
            if (NamespaceInode.IsShared(inode)) AsSharedNode(ref attributes, inode);
            else attributes.Inode = inode;
            return errno;
        }
        finally
        {
            owner.Release();
        }
    }

    /// <inheritdoc/>
    public Errno GetAttributes(ulong inode, out NodeAttributes attributes)
    {
        attributes = default;
        if (inode == NamespaceInode.Root)
        {
            attributes = RootAttributes();
            return Errno.Success;
        }
        if (NamespaceInode.IsShared(inode))
        {
            var errno = SharedAttributes(inode, out attributes);
            if (errno == Errno.Success) AsSharedNode(ref attributes, inode);
            return errno;
        }
        if (!TryResolve(inode, out var image, out var node)) return Errno.ESTALE;
        var result = ImageAttributes(image, node, out attributes);
        if (result == Errno.Success) attributes.Inode = inode;
        return result;
    }

    /// <inheritdoc/>
    public Errno ReadLink(ulong inode, Span<byte> destination, out int length)
    {
        length = 0;
        if (inode == NamespaceInode.Root || NamespaceInode.IsShared(inode)) return Errno.EINVAL;
        if (!TryResolve(inode, out var image, out var nid)) return Errno.ESTALE;
        if (!image.TryAcquire()) return Errno.ESTALE;
        try
        {
            return image.FileSystem.ReadLink(nid, destination, out length);
        }
        finally
        {
            image.Release();
        }
    }

    /// <inheritdoc/>
    public Errno Read(ulong inode, long offset, int length, ReadReply reply)
    {
        if (inode == NamespaceInode.Root) return Errno.EISDIR;
        if (!NamespaceInode.IsShared(inode))
        {
            if (!TryResolve(inode, out var image, out var nid) || !image.TryAcquire()) return Errno.ESTALE;
            try
            {
                return image.FileSystem.Read(nid, offset, length, reply);
            }
            finally
            {
                image.Release();
            }
        }
        // any image holding the file can serve it; one that fails (a corrupt image) hands over to the next
        var holders = _shared.HoldersOf(NamespaceInode.SharedSerial(inode));
        FileSystemErrorException? failure = null;
        foreach (var h in holders)
        {
            if (!h.Image.TryAcquire()) continue;
            int before = reply.Length;
            try
            {
                return h.Image.FileSystem.Read(h.Nid, offset, length, reply);
            }
            catch (FileSystemErrorException e) when (e.Errno == Errno.EIO && reply.Length == before)
            {
                failure = e;
            }
            finally
            {
                h.Image.Release();
            }
        }
        if (failure is not null) throw failure;
        return Errno.ESTALE;
    }

    /// <inheritdoc/>
    public Errno ReadDirectory(ulong inode, long offset, DirectoryListing listing)
    {
        if (inode == NamespaceInode.Root) return ListRoot(offset, listing);
        if (NamespaceInode.IsShared(inode)) return Errno.ENOTDIR;
        if (!TryResolve(inode, out var image, out var dir) || !image.TryAcquire()) return Errno.ESTALE;
        try
        {
            return image.FileSystem.ReadDirectory(dir, offset, listing, e => EntryInode(image, dir, e));
        }
        finally
        {
            image.Release();
        }
    }

    /// <inheritdoc/>
    public Errno GetExtendedAttribute(ulong inode, ReadOnlySpan<byte> name, Span<byte> destination, out int length)
    {
        length = 0;
        if (inode == NamespaceInode.Root) return Errno.ENODATA;
        if (!TryPickImage(inode, out var image, out var nid)) return Errno.ESTALE;
        try
        {
            return image.FileSystem.GetExtendedAttribute(nid, name, destination, out length);
        }
        finally
        {
            image.Release();
        }
    }

    /// <inheritdoc/>
    public Errno ListExtendedAttributes(ulong inode, in RequestCaller caller, Span<byte> destination, out int length)
    {
        length = 0;
        if (inode == NamespaceInode.Root) return Errno.Success;
        if (!TryPickImage(inode, out var image, out var nid)) return Errno.ESTALE;
        try
        {
            return image.FileSystem.ListExtendedAttributes(nid, caller, destination, out length);
        }
        finally
        {
            image.Release();
        }
    }

    /// <inheritdoc/>
    public FileSystemStatistics GetStatistics()
    {
        ulong blocks = 0, inodes = 1;
        foreach (var image in Images)
        {
            if (!image.TryAcquire()) continue;
            try
            {
                var s = image.FileSystem.GetStatistics();
                blocks += s.TotalBlocks * Math.Max(1u, s.BlockSize) / 4096;
                inodes += s.TotalInodes;
            }
            catch (FileSystemErrorException)
            {
                // a corrupt image does not take statfs of the whole namespace down
            }
            finally
            {
                image.Release();
            }
        }
        return new FileSystemStatistics(blocks, 4096, inodes);
    }

    /// <summary>Attributes of one node of one image, under a lease (Inode is still the nid).</summary>
    private static Errno ImageAttributes(AttachedImage image, ulong nid, out NodeAttributes attributes)
    {
        attributes = default;
        if (!image.TryAcquire()) return Errno.ESTALE;
        try
        {
            return image.FileSystem.GetAttributes(nid, out attributes);
        }
        finally
        {
            image.Release();
        }
    }

    /// <summary>
    /// A holder's attributes as the shared node's: its inode number, and st_blocks from the size (the allocation of the
    /// same file differs between images compressed differently; everything else is equal by construction).
    /// </summary>
    private static void AsSharedNode(ref NodeAttributes attributes, ulong inode)
    {
        attributes.Inode = inode;
        attributes.Blocks = (attributes.Size + 511) / 512;
    }

    /// <summary>Attributes of a shared node from the first image that still holds it and can answer.</summary>
    private Errno SharedAttributes(ulong inode, out NodeAttributes attributes)
    {
        attributes = default;
        FileSystemErrorException? failure = null;
        foreach (var h in _shared.HoldersOf(NamespaceInode.SharedSerial(inode)))
        {
            if (!h.Image.TryAcquire()) continue;
            try
            {
                return h.Image.FileSystem.GetAttributes(h.Nid, out attributes);
            }
            catch (FileSystemErrorException e) when (e.Errno == Errno.EIO)
            {
                failure = e;
            }
            finally
            {
                h.Image.Release();
            }
        }
        if (failure is not null) throw failure;
        return Errno.ESTALE;
    }

    /// <summary>The image and nid a node stands for, with a lease taken (release it); for shared nodes the first holder.</summary>
    private bool TryPickImage(ulong inode, out AttachedImage image, out ulong nid)
    {
        if (NamespaceInode.IsShared(inode))
        {
            foreach (var h in _shared.HoldersOf(NamespaceInode.SharedSerial(inode)))
            {
                if (!h.Image.TryAcquire()) continue;
                image = h.Image;
                nid = h.Nid;
                return true;
            }
            image = null!;
            nid = 0;
            return false;
        }
        return TryResolve(inode, out image, out nid) && image.TryAcquire();
    }

    /// <summary>
    /// The namespace inode of a file that <paramref name="image"/> answered with its own attributes (Inode = nid): a
    /// shared node for fingerprinted regular files that qualify, else the image's node.
    /// </summary>
    private ulong InodeOf(AttachedImage image, in NodeAttributes attributes)
    {
        ulong nid = attributes.Inode;
        if (attributes.Type == FileType.RegularFile && attributes.Size > 0 && image.Image.HasContentFingerprints)
        {
            long serial = _shared.Resolve(image, nid, attributes);
            if (serial != 0) return NamespaceInode.Shared(serial);
        }
        return ImageInode(image, nid);
    }

    private static ulong ImageInode(AttachedImage image, ulong nid) =>
        NamespaceInode.TryEncode(image.Serial, nid, out var inode)
            ? inode
            : throw new FileSystemErrorException(Errno.EOVERFLOW, $"image {image.Name}: nid {nid} is too large for the shared namespace");

    /// <summary>Inode numbers of directory entries, the same LOOKUP gives (READDIRPLUS hands the kernel nodes too).</summary>
    private ulong EntryInode(AttachedImage image, ulong dir, DirectoryEntry e)
    {
        if (e.IsDot) return ImageInode(image, dir);
        if (e.IsDotDot) return dir == image.Image.RootNid ? NamespaceInode.Root : ImageInode(image, e.Nid);
        if (e.FileType == DirentFileType.RegularFile && image.Image.HasContentFingerprints)
        {
            try
            {
                if (image.FileSystem.GetAttributes(e.Nid, out var attributes) == Errno.Success)
                {
                    attributes.Inode = e.Nid;
                    return InodeOf(image, attributes);
                }
            }
            catch (FileSystemErrorException)
            {
                // a file whose inode cannot be read is listed as a node of its image; its lookup will answer EIO
            }
        }
        return ImageInode(image, e.Nid);
    }

    private Errno ListRoot(long offset, DirectoryListing listing)
    {
        // cookies: 1 after ".", 2 after "..", serial + 2 after an image (serials grow, so a listing resumes correctly
        // while images come and go)
        if (offset < 1 && !listing.TryAdd("."u8, NamespaceInode.Root, FileType.Directory, 1)) return Errno.Success;
        if (offset < 2 && !listing.TryAdd(".."u8, NamespaceInode.Root, FileType.Directory, 2)) return Errno.Success;
        foreach (var image in Images)
        {
            long cookie = image.Serial + 2L;
            if (cookie <= offset) continue;
            if (!NamespaceInode.TryEncode(image.Serial, image.Image.RootNid, out var inode)) continue;
            if (!listing.TryAdd(Encoding.UTF8.GetBytes(image.Name), inode, FileType.Directory, cookie)) break;
        }
        return Errno.Success;
    }

    private NodeAttributes RootAttributes()
    {
        var a = new NodeAttributes
        {
            Inode = NamespaceInode.Root,
            Mode = DirectoryMode,
            LinkCount = 2 + (uint)Images.Count,
            Size = 0,
        };
        var changed = new DateTimeOffset(Volatile.Read(ref _changedTicks), TimeSpan.Zero);
        a.SetAllTimes(changed.ToUnixTimeSeconds(), (uint)(changed.Ticks % TimeSpan.TicksPerSecond * 100));
        return a;
    }

    private bool TryGetByName(ReadOnlySpan<byte> name, out AttachedImage image)
    {
        string text;
        try
        {
            text = new UTF8Encoding(false, true).GetString(name);
        }
        catch (DecoderFallbackException)
        {
            image = null!;
            return false;
        }
        return Volatile.Read(ref _byName).TryGetValue(text, out image!);
    }

    private bool TryResolve(ulong inode, out AttachedImage image, out ulong nid)
    {
        image = null!;
        return NamespaceInode.TryDecode(inode, out var serial, out nid) && Volatile.Read(ref _bySerial).TryGetValue(serial, out image!);
    }
}
