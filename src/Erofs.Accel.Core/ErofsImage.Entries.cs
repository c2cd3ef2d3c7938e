using System.Text;
using Erofs.Accel.Core.Export;

namespace Erofs.Accel.Core;

// The high-level view of an image: entries by path, directory listings without "." and "..", and file contents as a
// Stream (the counterpart of TarReader/TarEntry and ZipArchive). Built on Resolve, ListDirectory and Read.
public sealed partial class ErofsImage
{
    /// <summary>
    /// The entry at <paramref name="path"/> ('/'-separated, from the root; "/" is the root itself), or null when no
    /// such entry exists (like ZipArchive.GetEntry). Symlinks on the way are followed, a symlink at the end is returned
    /// as itself. Empty and "." components are ignored.
    /// </summary>
    /// <exception cref="ErofsCorruptImageException">The image is malformed along the path.</exception>
    public ErofsEntry? GetEntry(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return GetEntry(Encoding.UTF8.GetBytes(path));
    }

    /// <summary>The entry at a path given as raw bytes (for names that are not UTF-8); null when absent.</summary>
    public ErofsEntry? GetEntry(ReadOnlySpan<byte> path)
    {
        var normalized = NormalizePath(path);
        ErofsInode inode;
        try
        {
            inode = Resolve(normalized, followLastSymlink: false);
        }
        catch (ErofsNotFoundException)
        {
            return null;
        }
        return EntryOf(normalized, inode);
    }

    /// <summary>
    /// The entries of the directory at <paramref name="path"/> in on-disk order (sorted by name bytes), without "."
    /// and "..". A symlink to a directory is followed. Each entry's inode is loaded only when needed.
    /// </summary>
    /// <exception cref="ErofsNotFoundException">The path does not exist, or is not a directory (<see cref="ErofsErrorKind.NotADirectory"/>).</exception>
    public IEnumerable<ErofsEntry> EnumerateDirectory(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var normalized = NormalizePath(Encoding.UTF8.GetBytes(path));
        var directory = EntryOf(normalized, Resolve(normalized, followLastSymlink: true));
        return directory.EnumerateDirectory();
    }

    /// <summary>
    /// Every entry below the directory at <paramref name="path"/> (default: the whole image), depth-first, each
    /// directory's entries in on-disk order and right after the directory itself, the starting directory left out
    /// (like ZipArchive.Entries or reading a tar with TarReader). Directory cycles and unsafe names in a corrupt image
    /// raise <see cref="ErofsCorruptImageException"/>.
    /// </summary>
    /// <exception cref="ErofsNotFoundException">The path does not exist, or is not a directory.</exception>
    public IEnumerable<ErofsEntry> EnumerateEntries(string path = "/")
    {
        ArgumentNullException.ThrowIfNull(path);
        var normalized = NormalizePath(Encoding.UTF8.GetBytes(path));
        var start = Resolve(normalized, followLastSymlink: true);
        if (!start.IsDirectory)
            throw new ErofsNotFoundException($"{path}: not a directory", ErofsErrorKind.NotADirectory, start.Nid);
        return WalkEntries(start, normalized);
    }

    private IEnumerable<ErofsEntry> WalkEntries(ErofsInode start, byte[] startPath)
    {
        bool first = true;
        foreach (var node in TreeWalker.Walk(this, start, startPath))
        {
            if (first)
            {
                first = false;
                continue;
            }
            yield return EntryOf(node.Path, node.Inode);
        }
    }

    /// <summary>
    /// Opens the contents of the regular file at <paramref name="path"/> as a read-only, seekable stream (like
    /// File.OpenRead: symlinks are followed). Disposing the stream leaves the image open.
    /// </summary>
    /// <exception cref="ErofsNotFoundException">The path does not exist.</exception>
    /// <exception cref="InvalidOperationException">The path names a directory or another non-regular file.</exception>
    public Stream OpenRead(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var normalized = NormalizePath(Encoding.UTF8.GetBytes(path));
        return EntryOf(normalized, Resolve(normalized, followLastSymlink: true)).OpenRead();
    }

    /// <summary>The entries of a directory entry, "." and ".." left out; names that could not be path components are refused.</summary>
    internal IEnumerable<ErofsEntry> ListChildren(ErofsEntry directory)
    {
        var parent = directory.RawFullPath.ToArray();
        foreach (var d in ListDirectory(directory.Inode))
        {
            if (d.IsDot || d.IsDotDot) continue;
            if (d.Name.AsSpan().IndexOfAny((byte)'/', (byte)0) >= 0)
                throw new ErofsCorruptImageException($"directory entry with an unsafe name \"{ManifestEscaping.Escape(d.Name)}\" in {directory.FullPath}", null, directory.Nid);
            yield return new ErofsEntry(this, TreeWalker.Join(parent, d.Name), d.Name, d.Nid, d.FileType, inode: null);
        }
    }

    private ErofsEntry EntryOf(byte[] path, ErofsInode inode)
    {
        int slash = Array.LastIndexOf(path, (byte)'/');
        return new ErofsEntry(this, path, path[(slash + 1)..], inode.Nid, DirentFileType.Unknown, inode);
    }

    /// <summary>"/a/b" from any spelling of a path: leading '/' added, empty and "." components dropped.</summary>
    private static byte[] NormalizePath(ReadOnlySpan<byte> path)
    {
        var result = new List<byte>(path.Length + 1);
        foreach (var range in path.Split((byte)'/'))
        {
            var component = path[range];
            if (component.IsEmpty || component.SequenceEqual("."u8)) continue;
            result.Add((byte)'/');
            result.AddRange(component);
        }
        if (result.Count == 0) result.Add((byte)'/');
        return result.ToArray();
    }
}
