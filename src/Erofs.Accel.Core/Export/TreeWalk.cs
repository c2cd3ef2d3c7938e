using System.Text;

namespace Erofs.Accel.Core.Export;

/// <summary>In which order a <see cref="TreeWalk"/> visits the tree.</summary>
internal enum TreeWalkOrder
{
    /// <summary>Depth first, each directory's entries in on-disk order, a directory's contents right after it.</summary>
    OnDisk,

    /// <summary>
    /// Ordered like a byte-wise sort of the full paths (the manifest order): "/a", "/a-b", "/a/c". A directory's own
    /// entry and its contents are not adjacent when a sibling name extends its name with a byte below '/', so
    /// descents are held back until the entries that sort before "name/" have been visited.
    /// </summary>
    SortedPaths,
}

/// <summary>
/// A streaming walk of a tree with bounded memory: per directory level it keeps one name and a resume cookie (plus,
/// in <see cref="TreeWalkOrder.SortedPaths"/> order, the lengths of held-back descents, which all share that name),
/// never every ancestor's full path nor any directory's listing. The current path is built in one buffer. Only the
/// innermost directory is being read; the others resume from their cookie when the walk returns to them.
/// Refuses names that could escape a directory, directory cycles and nesting deeper than <see cref="TreeWalker.MaxDepth"/>.
/// A directory whose entries are not sorted on disk (a hand-made image; mkfs.erofs always sorts) is listed and sorted
/// in memory in sorted-path order, so the order holds for every image.
/// </summary>
internal sealed class TreeWalk : IDisposable
{
    public enum Step { Node, EnterDirectory, LeaveDirectory }

    private sealed class Frame
    {
        public required ErofsInode Directory;
        public required TreeLocation Location;
        public int PathLength;
        public int EscapedLength;
        public int Depth;
        public long Cookie;
        public IEnumerator<DirectoryEntry>? Entries;
        public bool HasPeeked;
        public List<(byte[] Name, ulong Nid)>? SortedInMemory;
        public int SortedIndex;
        // held-back descents (SortedPaths): each name is a prefix of the next, so one buffer holds them all
        public byte[]? HeldName;
        public List<(int Length, ulong Nid)>? Held;

        public void Suspend()
        {
            Entries?.Dispose();
            Entries = null;
            HasPeeked = false;
        }
    }

    private readonly ErofsImage _image;
    private readonly TreeWalkOrder _order;
    private readonly bool _escape;
    private readonly HashSet<ulong> _visitedDirectories;
    private readonly List<Frame> _stack = new();
    private byte[] _path = new byte[256];
    private char[] _escaped = new char[256];
    private int _pathLength, _escapedLength;

    private readonly ErofsInode _start;
    private readonly TreeLocation? _startParent;
    private readonly byte[] _startName;
    private bool _started;
    private (ErofsInode Inode, byte[] Name)? _enterNext;

    /// <param name="start">Where the walk begins (the root, or a subtree: a directory or a single node).</param>
    /// <param name="startPath">The path of <paramref name="start"/> in the image ("/" for the root).</param>
    /// <param name="startParent">The location of the directory that holds <paramref name="start"/> (null for the root).</param>
    /// <param name="escapePaths">Also build <see cref="EscapedPath"/> (manifest escaping), one name at a time.</param>
    /// <param name="visitedDirectories">Directories already walked (shared by walks of several subtrees).</param>
    public TreeWalk(ErofsImage image, ErofsInode start, ReadOnlySpan<byte> startPath, TreeLocation? startParent, TreeWalkOrder order,
        bool escapePaths = false, HashSet<ulong>? visitedDirectories = null)
    {
        _image = image;
        _order = order;
        _escape = escapePaths;
        _start = start;
        _startParent = startParent;
        _visitedDirectories = visitedDirectories ?? new HashSet<ulong>();
        var trimmed = startPath.TrimEnd((byte)'/');
        int slash = trimmed.LastIndexOf((byte)'/');
        _startName = trimmed[(slash + 1)..].ToArray();
        if (trimmed.Length > 0) Append(ref _path, ref _pathLength, trimmed);
        if (_escape)
        {
            var rest = trimmed;
            while (!rest.IsEmpty)
            {
                rest = rest.TrimStart((byte)'/');
                int end = rest.IndexOf((byte)'/');
                if (end < 0) end = rest.Length;
                if (end > 0) AppendEscapedComponent(rest[..end]);
                rest = rest[end..];
            }
        }
    }

    public static TreeWalk FromRoot(ErofsImage image, TreeWalkOrder order, bool escapePaths = false) =>
        new(image, image.Root, "/"u8, null, order, escapePaths);

    public Step Kind { get; private set; }

    /// <summary>The node met, or the directory entered or left.</summary>
    public ErofsInode Inode { get; private set; } = null!;

    /// <summary>Last component of <see cref="Path"/> (empty for the root).</summary>
    public ReadOnlySpan<byte> Name => Kind == Step.Node ? _path.AsSpan(_pathLength - _nameLength, _nameLength) : default;

    private int _nameLength;

    /// <summary>Raw path ("/" for the root, else "/a/b"). Valid until the next step.</summary>
    public ReadOnlySpan<byte> Path => _pathLength == 0 ? "/"u8 : _path.AsSpan(0, _pathLength);

    /// <summary>The path escaped as manifests print it (only with escapePaths). Valid until the next step.</summary>
    public ReadOnlySpan<char> EscapedPath => _escapedLength == 0 ? "/".AsSpan() : _escaped.AsSpan(0, _escapedLength);

    /// <summary>
    /// For a node: the location of the directory holding it (null for the start of a walk from the root). For an
    /// entered or left directory: the directory's own location.
    /// </summary>
    public TreeLocation? Location { get; private set; }

    /// <summary>Nesting below the start: 0 for the start, 1 for its entries, and so on.</summary>
    public int Depth { get; private set; }

    public bool MoveNext()
    {
        if (!_started)
        {
            _started = true;
            if (_start.IsDirectory) _visitedDirectories.Add(_start.Nid);
            SetNode(_start, _startParent, 0, _startName.Length);
            if (_start.IsDirectory) _enterNext = (_start, _startName);
            return true;
        }
        if (_enterNext is { } enter)
        {
            _enterNext = null;
            Enter(enter.Inode, enter.Name);
            return true;
        }
        while (_stack.Count > 0)
        {
            var f = _stack[^1];
            if (!Peek(f, out var name, out ulong nid))
            {
                if (f.Held is { Count: > 0 } held)
                {
                    var (len, heldNid) = held[^1];
                    held.RemoveAt(held.Count - 1);
                    Enter(_image.GetInode(heldNid), f.HeldName.AsSpan(0, len).ToArray());
                    return true;
                }
                Leave(f);
                return true;
            }
            if (IsDotOrDotDot(name))
            {
                Consume(f);
                continue;
            }
            if (name.Length == 0 || name.AsSpan().IndexOfAny((byte)'/', (byte)0) >= 0)
                throw new ErofsCorruptImageException($"directory entry with an unsafe name \"{ManifestEscaping.Escape(name)}\" in {ShowDirectory(f)}", null, f.Directory.Nid);
            if (f.Held is { Count: > 0 } pending && HeldDescentComesFirst(f.HeldName.AsSpan(0, pending[^1].Length), name))
            {
                var (len, heldNid) = pending[^1];
                pending.RemoveAt(pending.Count - 1);
                Enter(_image.GetInode(heldNid), f.HeldName.AsSpan(0, len).ToArray());
                return true;
            }
            Consume(f);
            var inode = _image.GetInode(nid);
            _pathLength = f.PathLength;
            _escapedLength = f.EscapedLength;
            Append(ref _path, ref _pathLength, "/"u8);
            Append(ref _path, ref _pathLength, name);
            if (_escape)
            {
                AppendEscaped("/");
                AppendEscaped(ManifestEscaping.Escape(name));
            }
            if (inode.IsDirectory)
            {
                if (!_visitedDirectories.Add(inode.Nid))
                    throw new ErofsCorruptImageException($"directory cycle: {ManifestEscaping.Escape(Path)} is reached twice", null, inode.Nid);
                if (f.Depth + 1 > TreeWalker.MaxDepth)
                    throw new ErofsCorruptImageException($"directories nested deeper than {TreeWalker.MaxDepth}", null, inode.Nid);
                if (_order == TreeWalkOrder.OnDisk) _enterNext = (inode, name);
                else Hold(f, name, inode.Nid);
            }
            SetNode(inode, f.Location, f.Depth + 1, name.Length);
            return true;
        }
        return false;
    }

    private void SetNode(ErofsInode inode, TreeLocation? parent, int depth, int nameLength)
    {
        Kind = Step.Node;
        Inode = inode;
        Location = parent;
        Depth = depth;
        _nameLength = nameLength;
    }

    private static bool IsDotOrDotDot(byte[] name) =>
        name.Length is 1 or 2 && name[0] == (byte)'.' && (name.Length == 1 || name[1] == (byte)'.');

    /// <summary>Whether "<paramref name="held"/>/" sorts before <paramref name="next"/> (both raw bytes).</summary>
    private static bool HeldDescentComesFirst(ReadOnlySpan<byte> held, ReadOnlySpan<byte> next)
    {
        int n = Math.Min(held.Length, next.Length);
        int c = held[..n].SequenceCompareTo(next[..n]);
        if (c != 0) return c < 0;
        if (next.Length <= held.Length) return false; // next is a prefix of held (or equal): next sorts first
        return next[held.Length] > (byte)'/';
    }

    private void Hold(Frame f, byte[] name, ulong nid)
    {
        f.Held ??= new List<(int, ulong)>();
        f.HeldName ??= new byte[ErofsConstants.MaxNameLength];
        // in sorted order every held name is a prefix of the next one held (it sorts between "x" and "x/")
        if (f.Held.Count > 0 && !name.AsSpan().StartsWith(f.HeldName.AsSpan(0, f.Held[^1].Length)))
            throw new ErofsCorruptImageException($"directory entries out of order in {ShowDirectory(f)}", null, f.Directory.Nid);
        name.CopyTo(f.HeldName, 0);
        f.Held.Add((name.Length, nid));
    }

    private void Enter(ErofsInode dir, byte[] name)
    {
        var parent = _stack.Count > 0 ? _stack[^1] : null;
        parent?.Suspend();
        var location = parent is null ? (_startParent is null ? TreeLocation.Root : new TreeLocation(_startParent, name)) : new TreeLocation(parent.Location, name);
        if (parent is not null)
        {
            _pathLength = parent.PathLength;
            _escapedLength = parent.EscapedLength;
            Append(ref _path, ref _pathLength, "/"u8);
            Append(ref _path, ref _pathLength, name);
            if (_escape)
            {
                AppendEscaped("/");
                AppendEscaped(ManifestEscaping.Escape(name));
            }
        }
        var frame = new Frame
        {
            Directory = dir,
            Location = location,
            PathLength = _pathLength,
            EscapedLength = _escapedLength,
            Depth = parent is null ? 0 : parent.Depth + 1,
        };
        if (_order == TreeWalkOrder.SortedPaths && !IsSortedOnDisk(dir)) frame.SortedInMemory = SortInMemory(dir);
        _stack.Add(frame);
        Kind = Step.EnterDirectory;
        Inode = dir;
        Location = location;
        Depth = frame.Depth;
    }

    private void Leave(Frame f)
    {
        f.Suspend();
        _stack.RemoveAt(_stack.Count - 1);
        _pathLength = f.PathLength;
        _escapedLength = f.EscapedLength;
        Kind = Step.LeaveDirectory;
        Inode = f.Directory;
        Location = f.Location;
        Depth = f.Depth;
    }

    private bool Peek(Frame f, out byte[] name, out ulong nid)
    {
        if (f.SortedInMemory is { } list)
        {
            if (f.SortedIndex < list.Count)
            {
                (name, nid) = list[f.SortedIndex];
                return true;
            }
            (name, nid) = (Array.Empty<byte>(), 0);
            return false;
        }
        f.Entries ??= _image.ListDirectory(f.Directory, f.Cookie).GetEnumerator();
        if (!f.HasPeeked)
        {
            if (!f.Entries.MoveNext())
            {
                (name, nid) = (Array.Empty<byte>(), 0);
                return false;
            }
            f.HasPeeked = true;
        }
        var e = f.Entries.Current;
        (name, nid) = (e.Name, e.Nid);
        return true;
    }

    private static void Consume(Frame f)
    {
        if (f.SortedInMemory is not null)
        {
            f.SortedIndex++;
            return;
        }
        f.Cookie = f.Entries!.Current.NextCookie;
        f.HasPeeked = false;
    }

    /// <summary>Whether the directory's names (dots aside) strictly increase on disk, as mkfs.erofs writes them.</summary>
    private bool IsSortedOnDisk(ErofsInode dir)
    {
        byte[]? previous = null;
        foreach (var e in _image.ListDirectory(dir))
        {
            if (IsDotOrDotDot(e.Name)) continue;
            if (previous is not null && previous.AsSpan().SequenceCompareTo(e.Name) >= 0) return false;
            previous = e.Name;
        }
        return true;
    }

    private List<(byte[] Name, ulong Nid)> SortInMemory(ErofsInode dir)
    {
        var list = new List<(byte[] Name, ulong Nid)>();
        foreach (var e in _image.ListDirectory(dir))
            if (!IsDotOrDotDot(e.Name)) list.Add((e.Name, e.Nid));
        // stable, so that duplicate names keep their on-disk order
        return list.Select((e, i) => (e, i)).OrderBy(x => x.e.Name, ByteStringComparer.Instance).ThenBy(x => x.i).Select(x => x.e).ToList();
    }

    private string ShowDirectory(Frame f) => f.PathLength == 0 ? "/" : ManifestEscaping.Escape(_path.AsSpan(0, f.PathLength));

    private static void Append(ref byte[] buffer, ref int length, ReadOnlySpan<byte> bytes)
    {
        if (length + bytes.Length > buffer.Length) Array.Resize(ref buffer, Math.Max(buffer.Length * 2, length + bytes.Length));
        bytes.CopyTo(buffer.AsSpan(length));
        length += bytes.Length;
    }

    private void AppendEscapedComponent(ReadOnlySpan<byte> name)
    {
        AppendEscaped("/");
        AppendEscaped(ManifestEscaping.Escape(name));
    }

    private void AppendEscaped(string s)
    {
        if (_escapedLength + s.Length > _escaped.Length) Array.Resize(ref _escaped, Math.Max(_escaped.Length * 2, _escapedLength + s.Length));
        s.CopyTo(_escaped.AsSpan(_escapedLength));
        _escapedLength += s.Length;
    }

    public void Dispose()
    {
        foreach (var f in _stack) f.Suspend();
        _stack.Clear();
    }

    private sealed class ByteStringComparer : IComparer<byte[]>
    {
        public static readonly ByteStringComparer Instance = new();
        public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
    }
}
