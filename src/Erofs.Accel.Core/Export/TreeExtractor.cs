using System.Buffers;
using System.Diagnostics;
using System.Text;
using Erofs.Accel.Interop;

namespace Erofs.Accel.Core.Export;

/// <summary>
/// Writes an image's tree (or chosen subtrees) into a directory: contents (holes left as holes), modes, owners,
/// nanosecond mtimes, xattrs and ACLs, symlinks, hardlinks, devices, FIFOs and sockets, as far as
/// <see cref="ExtractOptions"/> allows. Every write is relative to a directory descriptor opened without following
/// symlinks, so nothing lands outside the destination, whatever names the image holds. Memory stays bounded by the
/// nesting depth: the walk keeps one name per level, and hardlink sources are kept as (directory, name).
/// Directory attributes are applied when the walk leaves a directory; a directory its owner could not search
/// (mode without u+x, like 0000) gets them only at the very end, after every hardlink into it is made (GNU tar's
/// order). The destination directory itself is never changed.
/// </summary>
internal sealed unsafe class TreeExtractor : IDisposable
{
    private const uint SetuidBit = 0x800, SetgidBit = 0x400, StickyBit = 0x200, OwnerSearchBit = 0x40;
    private const int OpenDirectoryFlags = Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_NOFOLLOW | Libc.O_CLOEXEC;
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(200);

    /// <summary>A node named by the directory that holds it and its name: a path without building the path.</summary>
    private readonly record struct NodeName(TreeLocation Directory, byte[] Name)
    {
        public string Show() => Directory.EscapedPathOf(Name);
    }

    private readonly ErofsImage _image;
    private readonly ExtractOptions _options;
    private readonly IProgress<ExtractProgress>? _progress;
    private readonly ScanBudget _budget;
    private readonly uint _umask = Libc.CurrentUmask();
    private readonly uint _euid = Libc.GetEffectiveUserId(), _egid = Libc.GetEffectiveGroupId();
    private readonly Dictionary<ulong, NodeName> _linkSources = new();
    private readonly HashSet<ulong> _skippedInodes = new();
    private readonly HashSet<ulong> _visitedDirectories = new();
    private readonly HashSet<string> _warnedKinds = new();
    private readonly ExtractSummary _summary = new();
    private readonly List<(TreeLocation Location, ErofsInode Inode)> _deferredDirectories = new();
    private readonly List<(TreeLocation Location, int Fd)> _open = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private TimeSpan _lastReport;
    private long _entries;
    private int _rootFd = -1;
    private FileContentWriters? _writers;

    public TreeExtractor(ErofsImage image, ExtractOptions? options = null, IProgress<ExtractProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        _image = image;
        _options = options ?? new ExtractOptions();
        _progress = progress;
        _budget = new ScanBudget(_options.Limits, cancellationToken);
    }

    public ExtractSummary Extract(string destination)
    {
        var selections = Select();
        var full = PrepareDestination(destination);
        fixed (byte* p = Libc.Z(Encoding.UTF8.GetBytes(full)))
            _rootFd = Libc.OpenAt(Libc.AT_FDCWD, p, Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_CLOEXEC, 0);
        if (_rootFd < 0) throw Fail("open", destination, Libc.LastErrno);
        try
        {
            var parents = new List<(TreeLocation Location, ErofsInode Inode)>();
            using (_writers = _options.FileWriters > 1 ? new FileContentWriters(_options.FileWriters) : null)
            {
                foreach (var s in selections) ExtractSelection(s, parents);
                _writers?.Finish();
            }
            _writers = null;
            foreach (var (location, inode) in _deferredDirectories) ApplyLater(location, inode);
            // parents of chosen paths last, deepest first: everything below them is written
            foreach (var (location, inode) in parents.OrderByDescending(p => p.Location.Components().Count)) ApplyLater(location, inode);
            Report(force: true, null);
        }
        finally
        {
            CloseOpen();
        }
        return _summary;
    }

    public void Dispose()
    {
        CloseOpen();
        _budget.Dispose();
    }

    private void CloseOpen()
    {
        foreach (var (_, fd) in _open)
            if (fd != _rootFd) Libc.Close(fd);
        _open.Clear();
        if (_rootFd >= 0) Libc.Close(_rootFd);
        _rootFd = -1;
    }

    // ---- what to extract ---------------------------------------------------------------------------------------

    /// <summary>One chosen path: the node, and its ancestors below the root (names and inodes), top first.</summary>
    private sealed record Selection(byte[] Path, ErofsInode Inode, List<(byte[] Name, ErofsInode Inode)> Ancestors)
    {
        public bool IsRoot => Ancestors.Count == 0 && Path.Length == 1;
    }

    private List<Selection> Select()
    {
        var paths = _options.Paths is { Count: > 0 } p ? p : new[] { "/" };
        var chosen = new List<(List<byte[]> Components, Selection Selection)>();
        foreach (var path in paths)
        {
            var components = new List<byte[]>();
            foreach (var part in path.Split('/'))
            {
                if (part.Length == 0 || part == ".") continue;
                if (part == "..") throw new ArgumentException($"{path}: a path to extract may not contain '..'", nameof(ExtractOptions.Paths));
                components.Add(Encoding.UTF8.GetBytes(part));
            }
            var ancestors = new List<(byte[], ErofsInode)>();
            var node = _image.Root;
            var shown = new StringBuilder();
            for (int i = 0; i < components.Count; i++)
            {
                if (i > 0)
                {
                    if (!node.IsDirectory)
                        throw new ErofsNotFoundException($"{shown}: not a directory in the image (a path to extract names no symlinks)", ErofsErrorKind.NotADirectory, node.Nid);
                    ancestors.Add((components[i - 1], node));
                }
                shown.Append('/').Append(ManifestEscaping.Escape(components[i]));
                node = _image.Lookup(node, components[i]) ?? throw new ErofsNotFoundException($"{shown}: no such file or directory in the image");
            }
            var raw = components.Count == 0 ? "/"u8.ToArray() : components.SelectMany(c => new[] { (byte)'/' }.Concat(c)).ToArray();
            chosen.Add((components, new Selection(raw, node, ancestors)));
        }
        // drop paths inside (or equal to) another chosen path
        chosen.Sort((a, b) => a.Components.Count.CompareTo(b.Components.Count));
        var kept = new List<(List<byte[]> Components, Selection Selection)>();
        foreach (var c in chosen)
            if (!kept.Any(k => k.Components.Count <= c.Components.Count && k.Components.Zip(c.Components).All(z => z.First.AsSpan().SequenceEqual(z.Second))))
                kept.Add(c);
        return kept.Select(k => k.Selection).ToList();
    }

    // ---- the destination ---------------------------------------------------------------------------------------

    private string PrepareDestination(string destination)
    {
        var full = Path.GetFullPath(destination);
        if (File.Exists(full)) throw new IOException($"{destination}: exists and is not a directory");
        if (Directory.Exists(full))
        {
            if (ResolvesToRootDirectory(full))
                throw new ExtractionRefusedException(ExtractionRefusal.DestinationIsRootDirectory, $"{destination}: refusing to extract into the root directory");
            if (!_options.Overwrite && Directory.EnumerateFileSystemEntries(full).Any())
                throw new ExtractionRefusedException(ExtractionRefusal.DestinationNotEmpty, $"{destination}: directory is not empty");
        }
        else
        {
            try { Directory.CreateDirectory(full); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new IOException($"{destination}: cannot create the destination directory ({e.Message.TrimEnd('.')})", e);
            }
        }
        return full;
    }

    private static bool ResolvesToRootDirectory(string path)
    {
        var buffer = stackalloc byte[Libc.PATH_MAX + 1];
        var resolved = Libc.RealPath(path, buffer);
        return resolved is not null && resolved[0] == (byte)'/' && resolved[1] == 0;
    }

    // ---- the walk ----------------------------------------------------------------------------------------------

    private void ExtractSelection(Selection selection, List<(TreeLocation Location, ErofsInode Inode)> parents)
    {
        int opened = 0;
        var location = TreeLocation.Root;
        int dirFd = _rootFd;
        try
        {
            foreach (var (name, inode) in selection.Ancestors)
            {
                var node = new NodeName(location, name);
                location = new TreeLocation(location, name);
                bool created = MakeParentDirectory(dirFd, Libc.Z(name), node, out int fd);
                if (created)
                {
                    _summary.Directories++;
                    parents.Add((location, inode));
                }
                _open.Add((location, fd));
                opened++;
                dirFd = fd;
            }
            using var walk = new TreeWalk(_image, selection.Inode, selection.Path, selection.IsRoot ? null : location, TreeWalkOrder.OnDisk,
                visitedDirectories: _visitedDirectories);
            int enteredFd = -1;
            while (walk.MoveNext())
            {
                switch (walk.Kind)
                {
                    case TreeWalk.Step.Node:
                        if (selection.IsRoot && walk.Depth == 0) continue; // the image root is the destination itself
                        var node = new NodeName(walk.Location!, walk.Name.ToArray());
                        if (_budget.Stopped) _budget.ThrowStopped(node.Show());
                        enteredFd = ExtractNode(_open.Count > 0 ? _open[^1].Fd : _rootFd, walk.Inode, node);
                        _entries++;
                        Report(force: false, node);
                        break;
                    case TreeWalk.Step.EnterDirectory:
                        _open.Add((walk.Location!, selection.IsRoot && walk.Depth == 0 ? _rootFd : enteredFd));
                        enteredFd = -1;
                        break;
                    case TreeWalk.Step.LeaveDirectory:
                        var (left, leftFd) = _open[^1];
                        _open.RemoveAt(_open.Count - 1);
                        if (leftFd == _rootFd) break; // never change the destination itself
                        try
                        {
                            FinishDirectory(leftFd, walk.Inode, left);
                        }
                        finally
                        {
                            Libc.Close(leftFd);
                        }
                        break;
                }
            }
        }
        finally
        {
            for (; opened > 0; opened--)
            {
                int fd = _open[^1].Fd;
                _open.RemoveAt(_open.Count - 1);
                Libc.Close(fd);
            }
        }
    }

    /// <summary>Creates (or with an earlier chosen path, reuses) a parent of a chosen path; true when created now.</summary>
    private bool MakeParentDirectory(int dirFd, byte[] zname, NodeName node, out int fd)
    {
        bool created;
        fixed (byte* n = zname)
        {
            created = Libc.MkdirAt(dirFd, n, 0x1C0) == 0;
            if (!created && Libc.LastErrno != Libc.EEXIST) throw Fail("mkdir", node.Show(), Libc.LastErrno);
            fd = Libc.OpenAt(dirFd, n, OpenDirectoryFlags, 0);
        }
        if (fd < 0) throw Fail("open directory", node.Show(), Libc.LastErrno);
        return created;
    }

    /// <summary>Creates one node in <paramref name="dirFd"/>; returns the descriptor of a created directory, else -1.</summary>
    private int ExtractNode(int dirFd, ErofsInode ino, NodeName node)
    {
        var zname = Libc.Z(node.Name);
        bool linked = !ino.IsDirectory && ino.LinkCount > 1;
        if (linked)
        {
            if (_linkSources.TryGetValue(ino.Nid, out var source))
            {
                MakeHardlink(dirFd, zname, source, node);
                return -1;
            }
            if (_skippedInodes.Contains(ino.Nid))
            {
                _summary.SkippedDevices++;
                return -1;
            }
        }
        int fd = -1;
        switch (ino.Type)
        {
            case InodeType.Directory:
                fd = MakeDirectory(dirFd, zname, node);
                _summary.Directories++;
                break;
            case InodeType.RegularFile:
                var shown = (long)ino.Size > 0 ? node.Show() : null;
                if (shown is not null)
                {
                    _budget.CheckFile(shown, (long)ino.Size);
                    _budget.Charge(shown, (long)ino.Size);
                }
                WriteFile(dirFd, zname, ino, node);
                _summary.Files++;
                break;
            case InodeType.Symlink:
                MakeSymlink(dirFd, zname, ino, node);
                _summary.Symlinks++;
                break;
            case InodeType.CharDevice or InodeType.BlockDevice when !_options.CreateDevices:
                _summary.SkippedDevices++;
                if (linked) _skippedInodes.Add(ino.Nid);
                return -1;
            default:
                if (!MakeSpecial(dirFd, zname, ino, node))
                {
                    if (linked) _skippedInodes.Add(ino.Nid);
                    return -1;
                }
                _summary.SpecialFiles++;
                break;
        }
        if (linked) _linkSources[ino.Nid] = node;
        return fd;
    }

    private void Report(bool force, NodeName? node)
    {
        if (_progress is null) return;
        var now = _clock.Elapsed;
        if (!force && now - _lastReport < ProgressInterval) return;
        _lastReport = now;
        long bytes;
        lock (_summary) bytes = _summary.Bytes;
        _progress.Report(new ExtractProgress(_entries, _summary.Files, bytes, node?.Show() ?? "/"));
    }

    private static IOException Fail(string op, string what, int errno) => new($"{what}: {op} failed: {Libc.Describe(errno)}");

    private void Warn(string kind, string message)
    {
        lock (_summary)
        {
            _summary.Warnings++;
            if (_warnedKinds.Add(kind)) _options.Warning?.Invoke(message);
        }
    }

    private ExtractionRefusedException AlreadyExists(NodeName node) =>
        new(ExtractionRefusal.EntryExists, $"{node.Show()}: already exists (the image names it twice, or the destination changed during the extraction)");

    /// <summary>With <see cref="ExtractOptions.Overwrite"/>, removes a non-directory in the way; never removes directories.</summary>
    private bool ClearWay(int dirFd, byte[] zname)
    {
        if (!_options.Overwrite) return false;
        fixed (byte* n = zname)
            return Libc.UnlinkAt(dirFd, n, 0) == 0;
    }

    private int MakeDirectory(int dirFd, byte[] zname, NodeName node)
    {
        fixed (byte* n = zname)
        {
            if (Libc.MkdirAt(dirFd, n, 0x1C0) != 0)
            {
                int err = Libc.LastErrno;
                if (err != Libc.EEXIST) throw Fail("mkdir", node.Show(), err);
                if (!_options.Overwrite) throw AlreadyExists(node);
            }
            int fd = Libc.OpenAt(dirFd, n, OpenDirectoryFlags, 0);
            if (fd < 0 && _options.Overwrite && ClearWay(dirFd, zname))
            {
                if (Libc.MkdirAt(dirFd, n, 0x1C0) != 0) throw Fail("mkdir", node.Show(), Libc.LastErrno);
                fd = Libc.OpenAt(dirFd, n, OpenDirectoryFlags, 0);
            }
            if (fd < 0) throw Fail("open directory", node.Show(), Libc.LastErrno);
            return fd;
        }
    }

    /// <summary>A written directory (never the destination itself) as a node name.</summary>
    private static NodeName NameOf(TreeLocation location) => new(location.Parent!, location.Name);

    /// <summary>Applies a directory's attributes now, or at the end when its mode would stop its owner searching it.</summary>
    private void FinishDirectory(int fd, ErofsInode dir, TreeLocation location)
    {
        if ((PermissionBits(dir) & OwnerSearchBit) == 0) _deferredDirectories.Add((location, dir));
        else ApplyToFd(fd, dir, NameOf(location));
    }

    /// <summary>Opens a written directory again by walking down from the destination, and applies its attributes.</summary>
    private void ApplyLater(TreeLocation location, ErofsInode dir)
    {
        int fd = OpenLocation(location, OpenDirectoryFlags);
        try
        {
            ApplyToFd(fd, dir, NameOf(location));
        }
        finally
        {
            Libc.Close(fd);
        }
    }

    /// <summary>Opens a directory written under the destination, component by component, following no symlink.</summary>
    private int OpenLocation(TreeLocation location, int finalFlags)
    {
        var components = location.Components();
        int fd = _rootFd;
        for (int i = 0; i < components.Count; i++)
        {
            int flags = i == components.Count - 1 ? finalFlags : Libc.O_PATH | Libc.O_DIRECTORY | Libc.O_NOFOLLOW | Libc.O_CLOEXEC;
            int next;
            fixed (byte* n = Libc.Z(components[i])) next = Libc.OpenAt(fd, n, flags, 0);
            int err = Libc.LastErrno;
            if (fd != _rootFd) Libc.Close(fd);
            if (next < 0) throw Fail("open directory", NameOf(location).Show(), err);
            fd = next;
        }
        return fd;
    }

    private void WriteFile(int dirFd, byte[] zname, ErofsInode ino, NodeName node)
    {
        int fd;
        const int flags = Libc.O_WRONLY | Libc.O_CREAT | Libc.O_EXCL | Libc.O_NOFOLLOW | Libc.O_CLOEXEC;
        fixed (byte* n = zname)
        {
            fd = Libc.OpenAt(dirFd, n, flags, 0x180);
            if (fd < 0 && Libc.LastErrno == Libc.EEXIST)
            {
                if (!_options.Overwrite) throw AlreadyExists(node);
                if (ClearWay(dirFd, zname)) fd = Libc.OpenAt(dirFd, n, flags, 0x180);
            }
        }
        if (fd < 0) throw Fail("create", node.Show(), Libc.LastErrno);
        if (_writers is null) FillFile(fd, ino, node);
        else _writers.Post(new FillFileJob(this, fd, ino, node));
    }

    /// <summary>A created file whose contents and attributes a writer thread fills.</summary>
    private sealed class FillFileJob(TreeExtractor owner, int fd, ErofsInode ino, NodeName node) : FileContentWriters.IJob
    {
        public void Fill() => owner.FillFile(fd, ino, node);

        public void Abandon() => Libc.Close(fd);
    }

    /// <summary>Writes a created file's contents (holes and zero blocks left as holes), then its attributes; closes it.</summary>
    private void FillFile(int fd, ErofsInode ino, NodeName node)
    {
        try
        {
            var buf = ArrayPool<byte>.Shared.Rent(1 << 20);
            try
            {
                long size = (long)ino.Size, off = 0, position = 0;
                while (off < size)
                {
                    if (_budget.Stopped) _budget.ThrowStopped(node.Show());
                    long hole = FileContents.HoleLength(_image, ino, off, long.MaxValue);
                    if (hole > 0)
                    {
                        off += hole;
                        continue;
                    }
                    int want = (int)Math.Min(buf.Length, size - off);
                    int got = FileContents.Read(_image, ino, off, buf.AsSpan(0, want), node.Show);
                    if (got != want) throw new ErofsCorruptImageException($"{node.Show()}: file ended early", off, ino.Nid);
                    if (buf.AsSpan(0, got).IndexOfAnyExcept((byte)0) >= 0)
                    {
                        if (position != off && Libc.Lseek(fd, off, 0) < 0) throw Fail("seek", node.Show(), Libc.LastErrno);
                        WriteAll(fd, buf.AsSpan(0, got), node);
                        position = off + got;
                    }
                    off += got;
                }
                if (position != size && Libc.Ftruncate(fd, size) != 0) throw Fail("truncate", node.Show(), Libc.LastErrno);
                lock (_summary) _summary.Bytes += size;
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buf);
            }
            ApplyToFd(fd, ino, node);
        }
        finally
        {
            Libc.Close(fd);
        }
    }

    private static void WriteAll(int fd, ReadOnlySpan<byte> data, NodeName node)
    {
        fixed (byte* p = data)
        {
            int done = 0;
            while (done < data.Length)
            {
                nint n = Libc.Write(fd, p + done, data.Length - done);
                if (n < 0)
                {
                    if (Libc.LastErrno == Libc.EINTR) continue;
                    throw Fail("write", node.Show(), Libc.LastErrno);
                }
                done += (int)n;
            }
        }
    }

    private void MakeSymlink(int dirFd, byte[] zname, ErofsInode ino, NodeName node)
    {
        var target = Libc.Z(_image.ReadLink(ino));
        if (target.AsSpan(0, target.Length - 1).IndexOf((byte)0) >= 0)
            throw new ErofsCorruptImageException($"{node.Show()}: symlink target contains a NUL byte", null, ino.Nid);
        fixed (byte* t = target)
        fixed (byte* n = zname)
        {
            int r = Libc.SymlinkAt(t, dirFd, n);
            if (r != 0 && Libc.LastErrno == Libc.EEXIST)
            {
                if (!_options.Overwrite) throw AlreadyExists(node);
                if (ClearWay(dirFd, zname)) r = Libc.SymlinkAt(t, dirFd, n);
            }
            if (r != 0) throw Fail("symlink", node.Show(), Libc.LastErrno);
        }
        ApplyByName(dirFd, zname, ino, node, isSymlink: true);
    }

    private bool MakeSpecial(int dirFd, byte[] zname, ErofsInode ino, NodeName node)
    {
        ulong dev = ino.Type is InodeType.CharDevice or InodeType.BlockDevice ? Libc.Makedev(ino.RdevMajor, ino.RdevMinor) : 0;
        uint mode = (ino.Mode & Libc.S_IFMT) | 0x180;
        fixed (byte* n = zname)
        {
            int r = Libc.MknodAt(dirFd, n, mode, dev);
            if (r != 0 && Libc.LastErrno == Libc.EEXIST)
            {
                if (!_options.Overwrite) throw AlreadyExists(node);
                if (ClearWay(dirFd, zname)) r = Libc.MknodAt(dirFd, n, mode, dev);
            }
            if (r != 0)
            {
                int err = Libc.LastErrno;
                if (err is Libc.EPERM or Libc.EACCES)
                {
                    Warn("mknod", $"cannot create device files without privileges (first: {node.Show()}); they were skipped");
                    return false;
                }
                throw Fail("mknod", node.Show(), err);
            }
        }
        ApplyByName(dirFd, zname, ino, node, isSymlink: false);
        return true;
    }

    private void MakeHardlink(int dirFd, byte[] zname, NodeName source, NodeName node)
    {
        int sourceDir = _rootFd;
        bool close = false;
        var open = _open.FindLast(o => ReferenceEquals(o.Location, source.Directory));
        if (open.Location is not null) sourceDir = open.Fd;
        else if (source.Directory.Parent is not null)
        {
            sourceDir = OpenLocation(source.Directory, Libc.O_PATH | Libc.O_DIRECTORY | Libc.O_NOFOLLOW | Libc.O_CLOEXEC);
            close = true;
        }
        try
        {
            fixed (byte* s = Libc.Z(source.Name))
            fixed (byte* n = zname)
            {
                int r = Libc.LinkAt(sourceDir, s, dirFd, n, 0);
                if (r != 0 && Libc.LastErrno == Libc.EEXIST)
                {
                    if (!_options.Overwrite) throw AlreadyExists(node);
                    if (ClearWay(dirFd, zname)) r = Libc.LinkAt(sourceDir, s, dirFd, n, 0);
                }
                if (r != 0) throw Fail("link", node.Show(), Libc.LastErrno);
            }
        }
        finally
        {
            if (close) Libc.Close(sourceDir);
        }
        _summary.Hardlinks++;
    }

    // ---- attributes ----------------------------------------------------------------------------------------------

    /// <summary>The permission bits the options give a node, before the setuid/setgid decision.</summary>
    private uint PermissionBits(ErofsInode ino) =>
        _options.ApplyUmask ? ino.Permissions & 0x1FF & ~_umask : ino.Permissions & (0x1FF | StickyBit);

    /// <summary>The final mode: <see cref="PermissionBits"/> plus the setuid/setgid bits the options and owners allow.</summary>
    private uint FinalMode(ErofsInode ino, bool ownerIsImages, bool groupIsImages)
    {
        uint mode = PermissionBits(ino);
        uint wanted = ino.Permissions & (SetuidBit | SetgidBit), kept = 0;
        if (_options.RestoreSetuidSetgid)
        {
            if ((wanted & SetuidBit) != 0 && ownerIsImages) kept |= SetuidBit;
            if ((wanted & SetgidBit) != 0 && groupIsImages) kept |= SetgidBit;
        }
        if (kept != wanted)
            lock (_summary) _summary.DroppedSetuidSetgid++;
        return mode | kept;
    }

    private bool Restores(Xattr x)
    {
        bool keep = _options.Xattrs.Matches(x.Name) && !(_options.ApplyUmask && x.Name.AsSpan().StartsWith("system.posix_acl_"u8));
        if (!keep)
            lock (_summary) _summary.SkippedXattrs++;
        return keep;
    }

    private static Libc.Timespec[] Times(ErofsInode ino) => new[]
    {
        new Libc.Timespec { Seconds = ino.MtimeSeconds, Nanoseconds = ino.MtimeNanoseconds },
        new Libc.Timespec { Seconds = ino.MtimeSeconds, Nanoseconds = ino.MtimeNanoseconds },
    };

    /// <summary>Owner, xattrs, mode and times, in that order (chown clears setuid bits and capabilities).</summary>
    private void ApplyToFd(int fd, ErofsInode ino, NodeName node)
    {
        string? shown = null;
        string Shown() => shown ??= node.Show();
        bool ownerIsImages = _euid == ino.Uid, groupIsImages = _egid == ino.Gid;
        if (_options.RestoreOwners)
        {
            if (Libc.Fchown(fd, ino.Uid, ino.Gid) == 0) ownerIsImages = groupIsImages = true;
            else Warn("chown", $"{Shown()}: cannot set owner: {Libc.Describe(Libc.LastErrno)}");
        }
        foreach (var x in _image.ListXattrs(ino))
        {
            if (!Restores(x)) continue;
            var zn = Libc.Z(x.Name);
            fixed (byte* n = zn)
            fixed (byte* v = x.Value)
                if (Libc.Fsetxattr(fd, n, v, x.Value.Length, 0) != 0) XattrWarning(Shown(), x, Libc.LastErrno);
        }
        if (Libc.Fchmod(fd, FinalMode(ino, ownerIsImages, groupIsImages)) != 0) Warn("chmod", $"{Shown()}: cannot set mode: {Libc.Describe(Libc.LastErrno)}");
        if (!_options.RestoreTimes) return;
        var t = Times(ino);
        fixed (Libc.Timespec* tp = t)
            if (Libc.Futimens(fd, tp) != 0) Warn("utimens", $"{Shown()}: cannot set times: {Libc.Describe(Libc.LastErrno)}");
    }

    private void ApplyByName(int dirFd, byte[] zname, ErofsInode ino, NodeName node, bool isSymlink)
    {
        bool ownerIsImages = _euid == ino.Uid, groupIsImages = _egid == ino.Gid;
        fixed (byte* n = zname)
        {
            if (_options.RestoreOwners)
            {
                if (Libc.FchownAt(dirFd, n, ino.Uid, ino.Gid, Libc.AT_SYMLINK_NOFOLLOW) == 0) ownerIsImages = groupIsImages = true;
                else Warn("chown", $"{node.Show()}: cannot set owner: {Libc.Describe(Libc.LastErrno)}");
            }
            var xattrs = _image.ListXattrs(ino).Where(Restores).ToList();
            if (xattrs.Count > 0)
            {
                // lsetxattr through the directory descriptor: short paths, and never a followed symlink
                var path = Libc.Z(Encoding.ASCII.GetBytes($"/proc/self/fd/{dirFd}/").Concat(zname[..^1]).ToArray());
                foreach (var x in xattrs)
                {
                    var zn = Libc.Z(x.Name);
                    fixed (byte* p = path)
                    fixed (byte* xn = zn)
                    fixed (byte* v = x.Value)
                        if (Libc.Lsetxattr(p, xn, v, x.Value.Length, 0) != 0) XattrWarning(node.Show(), x, Libc.LastErrno);
                }
            }
            if (!isSymlink && Libc.FchmodAt(dirFd, n, FinalMode(ino, ownerIsImages, groupIsImages), 0) != 0)
                Warn("chmod", $"{node.Show()}: cannot set mode: {Libc.Describe(Libc.LastErrno)}");
            if (!_options.RestoreTimes) return;
            var t = Times(ino);
            fixed (Libc.Timespec* tp = t)
                if (Libc.UtimensAt(dirFd, n, tp, Libc.AT_SYMLINK_NOFOLLOW) != 0)
                    Warn("utimens", $"{node.Show()}: cannot set times: {Libc.Describe(Libc.LastErrno)}");
        }
    }

    private void XattrWarning(string shown, Xattr x, int errno) =>
        Warn("xattr:" + x.NameText.Split('.')[0], $"{shown}: cannot set xattr {x.NameText}: {Libc.Describe(errno)}{(errno is Libc.EPERM ? " (needs root)" : "")}");
}
