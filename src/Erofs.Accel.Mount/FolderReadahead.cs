using System.Collections.Concurrent;
using Erofs.Accel.Core;
using Erofs.Accel.Format;

namespace Erofs.Accel.Mount;

/// <summary>
/// Readahead across the small files of a folder. The kernel reads ahead within a file, never across files, so a walk
/// that reads a tree's small files whole, one after the other (find | xargs cat, tar, cp -r), costs one FUSE round trip
/// per file. When a folder's first file, or the file after the last one read, is read whole, this names the small files
/// that follow (up to <see cref="FilesAhead"/> files or <see cref="BytesAhead"/> bytes, stopping at the first file
/// larger than <see cref="SmallFileBytes"/>), for the FUSE server to put into the page cache; the walk then finds them
/// there. A read that is not the next in order (or the next after the files already named) starts over.
/// <para>
/// Folders are learned when they are listed from the start (the walk lists them first); at most
/// <see cref="MaxFolders"/> are remembered, and the first <see cref="MaxFilesPerFolder"/> regular files of each.
/// Thread-safe; the state of one folder is guarded by its own lock.
/// </para>
/// </summary>
internal sealed class FolderReadahead(ErofsImage image)
{
    /// <summary>Files larger than this are not named (and end a run): the kernel's own readahead serves them.</summary>
    public const long SmallFileBytes = 64 * 1024;

    /// <summary>Most files named after one read.</summary>
    public const int FilesAhead = 16;

    /// <summary>Most bytes named after one read.</summary>
    public const long BytesAhead = 512 * 1024;

    public const int MaxFolders = 4096;
    public const int MaxFilesPerFolder = 65536;

    private sealed class Folder(ulong[] files)
    {
        public readonly ulong[] Files = files;
        /// <summary>Index of the last file read whole, -1 before.</summary>
        public int LastRead = -1;
        /// <summary>Index of the last file named for the page cache, -1 before.</summary>
        public int NamedUpTo = -1;
    }

    private readonly ConcurrentDictionary<ulong, Folder> _folders = new();
    private readonly ConcurrentDictionary<ulong, (Folder Folder, int Index)> _positions = new();

    /// <summary>Learns the order of the regular files of folder <paramref name="directory"/> (called when it is listed from the start).</summary>
    public void Learn(ErofsInode directory)
    {
        if (_folders.ContainsKey(directory.Nid)) return;
        if (_folders.Count >= MaxFolders)
        {
            // a walk moves on: forget the folders of its past rather than keep every folder ever listed
            _folders.Clear();
            _positions.Clear();
        }
        var files = new List<ulong>();
        try
        {
            foreach (var e in image.ListDirectory(directory))
            {
                if (e.FileType != DirentFileType.RegularFile) continue;
                files.Add(e.Nid);
                if (files.Count == MaxFilesPerFolder) break;
            }
        }
        catch (ErofsException)
        {
            // a corrupt block further into the folder: the listing reports it when it gets there; learn what came before
        }
        var folder = new Folder(files.ToArray());
        if (!_folders.TryAdd(directory.Nid, folder)) return;
        for (int i = 0; i < folder.Files.Length; i++) _positions.TryAdd(folder.Files[i], (folder, i));
    }

    /// <summary>
    /// True when a reader has already gone past file <paramref name="nid"/> in its folder's walk: putting it into the
    /// page cache now would be wasted (the walk read it, or skipped it).
    /// </summary>
    public bool WalkedPast(ulong nid)
    {
        if (!_positions.TryGetValue(nid, out var at)) return false;
        lock (at.Folder) return at.Index <= at.Folder.LastRead;
    }

    /// <summary>
    /// Called after file <paramref name="nid"/> was read whole: adds to <paramref name="next"/> the small files to put
    /// into the page cache now (nid and size), none when the read does not continue an in-order walk of its folder.
    /// </summary>
    public void WholeFileRead(ulong nid, List<(ulong Nid, long Size)> next)
    {
        if (!_positions.TryGetValue(nid, out var at)) return;
        var folder = at.Folder;
        int i = at.Index;
        int from, to;
        lock (folder)
        {
            // in order: the folder's first file (a walk starts there), the file after the last one read whole, or one
            // of those already named (the walk caught up with them)
            int previous = folder.LastRead;
            folder.LastRead = i;
            bool continues = i == 0 || i > previous && (i == previous + 1 || i <= folder.NamedUpTo + 1);
            if (!continues) return;
            from = Math.Max(i + 1, folder.NamedUpTo + 1);
            to = Math.Min(folder.Files.Length, i + 1 + FilesAhead);
        }
        long bytes = 0;
        int named = from - 1;
        for (int j = from; j < to; j++)
        {
            ErofsInode inode;
            try
            {
                inode = image.GetInode(folder.Files[j]);
            }
            catch (ErofsException)
            {
                // a corrupt neighbour ends the run; it is its own reader's EIO, never the file just read
                break;
            }
            long size = (long)inode.Size;
            if (!inode.IsRegularFile || size > SmallFileBytes || bytes + size > BytesAhead) break;
            if (size > 0) next.Add((inode.Nid, size));
            bytes += size;
            named = j;
        }
        lock (folder) folder.NamedUpTo = Math.Max(folder.NamedUpTo, named);
    }
}
