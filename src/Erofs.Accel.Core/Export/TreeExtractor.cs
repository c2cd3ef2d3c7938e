using System.Buffers;
using System.Text;
using Erofs.Accel.Interop;

namespace Erofs.Accel.Core.Export;

/// <summary>
/// Writes an image's tree into a directory: contents, modes, owners, nanosecond mtimes, xattrs and ACLs, symlinks,
/// hardlinks, devices, FIFOs and sockets. Every write is relative to a directory descriptor opened without following
/// symlinks, so nothing lands outside the destination, whatever names the image holds.
/// </summary>
public sealed unsafe class TreeExtractor
{
    private readonly ErofsImage _image;
    private readonly ExtractOptions _options;
    private readonly Dictionary<ulong, byte[]> _linkSources = new();
    private readonly HashSet<ulong> _visitedDirs = new();
    private readonly HashSet<string> _warnedKinds = new();
    private readonly ExtractSummary _summary = new();
    private byte[] _destination = Array.Empty<byte>();
    private FileContentWriters? _writers;

    public TreeExtractor(ErofsImage image, ExtractOptions? options = null)
    {
        _image = image;
        _options = options ?? new ExtractOptions();
    }

    public ExtractSummary Extract(string destination)
    {
        var full = Path.GetFullPath(destination);
        if (File.Exists(full)) throw new IOException($"{destination}: exists and is not a directory");
        if (Directory.Exists(full))
        {
            if (!_options.Force && Directory.EnumerateFileSystemEntries(full).Any())
                throw new IOException($"{destination}: directory is not empty (use --force to extract into it anyway)");
        }
        else
        {
            try { Directory.CreateDirectory(full); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new IOException($"{destination}: cannot create the destination directory ({e.Message.TrimEnd('.')})", e);
            }
        }
        _destination = Encoding.UTF8.GetBytes(full.TrimEnd('/'));
        var z = Libc.Z(_destination);
        int rootFd;
        fixed (byte* p = z) rootFd = Libc.OpenAt(Libc.AT_FDCWD, p, Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_CLOEXEC, 0);
        if (rootFd < 0) throw Fail("open", destination, Libc.LastErrno);
        try
        {
            var root = _image.Root;
            _visitedDirs.Add(root.Nid);
            using (_writers = _options.FileWriters > 1 ? new FileContentWriters(_options.FileWriters) : null)
            {
                ExtractDirectory(rootFd, root, Array.Empty<byte>(), 0);
                _writers?.Finish();
            }
            _writers = null;
            ApplyToFd(rootFd, root, "/");
        }
        finally
        {
            Libc.Close(rootFd);
        }
        return _summary;
    }

    private static IOException Fail(string op, string what, int errno) => new($"{what}: {op} failed: {Libc.Describe(errno)}");

    private string Show(byte[] rel) => rel.Length == 0 ? "/" : ManifestEscaping.Escape(rel);

    private void Warn(string kind, string message)
    {
        lock (_summary)
        {
            _summary.Warnings++;
            if (_warnedKinds.Add(kind)) _options.Warning?.Invoke(message);
        }
    }

    private void ExtractDirectory(int dirFd, ErofsInode dir, byte[] rel, int depth)
    {
        if (depth > TreeWalker.MaxDepth) throw new ErofsCorruptImageException($"directories nested deeper than {TreeWalker.MaxDepth}", null, dir.Nid);
        foreach (var e in _image.ListDirectory(dir))
        {
            if (e.IsDot || e.IsDotDot) continue;
            var name = e.Name;
            if (name.Length == 0 || name.AsSpan().IndexOfAny((byte)'/', (byte)0) >= 0)
                throw new ErofsCorruptImageException($"directory entry with an unsafe name \"{ManifestEscaping.Escape(name)}\" in {Show(rel)}", null, dir.Nid);
            var childRel = Join(rel, name);
            var ino = _image.GetInode(e.Nid);
            var zname = Libc.Z(name);
            if (!ino.IsDirectory && ino.LinkCount > 1 && _linkSources.TryGetValue(ino.Nid, out var source))
            {
                MakeHardlink(dirFd, zname, source, childRel);
                continue;
            }
            switch (ino.Type)
            {
                case Format.InodeType.Directory:
                    if (!_visitedDirs.Add(ino.Nid))
                        throw new ErofsCorruptImageException($"directory cycle at {Show(childRel)}", null, ino.Nid);
                    int fd = MakeDirectory(dirFd, zname, childRel);
                    try
                    {
                        ExtractDirectory(fd, ino, childRel, depth + 1);
                        ApplyToFd(fd, ino, Show(childRel));
                    }
                    finally
                    {
                        Libc.Close(fd);
                    }
                    _summary.Directories++;
                    break;
                case Format.InodeType.RegularFile:
                    WriteFile(dirFd, zname, ino, childRel);
                    _summary.Files++;
                    break;
                case Format.InodeType.Symlink:
                    MakeSymlink(dirFd, zname, ino, childRel);
                    _summary.Symlinks++;
                    break;
                default:
                    if (!MakeSpecial(dirFd, zname, ino, childRel)) continue;
                    _summary.SpecialFiles++;
                    break;
            }
            if (!ino.IsDirectory && ino.LinkCount > 1) _linkSources[ino.Nid] = childRel;
        }
    }

    private static byte[] Join(byte[] rel, byte[] name)
    {
        var r = new byte[rel.Length + 1 + name.Length];
        rel.CopyTo(r, 0);
        r[rel.Length] = (byte)'/';
        name.CopyTo(r, rel.Length + 1);
        return r;
    }

    /// <summary>With --force, removes a non-directory in the way; never removes directories.</summary>
    private bool ClearWay(int dirFd, byte[] zname)
    {
        if (!_options.Force) return false;
        fixed (byte* n = zname)
            return Libc.UnlinkAt(dirFd, n, 0) == 0;
    }

    private int MakeDirectory(int dirFd, byte[] zname, byte[] rel)
    {
        fixed (byte* n = zname)
        {
            if (Libc.MkdirAt(dirFd, n, 0x1C0) != 0)
            {
                int err = Libc.LastErrno;
                if (err != Libc.EEXIST) throw Fail("mkdir", Show(rel), err);
                if (!_options.Force) throw new IOException($"{Show(rel)}: already exists (the image names it twice, or use --force)");
            }
            int fd = Libc.OpenAt(dirFd, n, Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_NOFOLLOW | Libc.O_CLOEXEC, 0);
            if (fd < 0 && _options.Force && ClearWay(dirFd, zname))
            {
                if (Libc.MkdirAt(dirFd, n, 0x1C0) != 0) throw Fail("mkdir", Show(rel), Libc.LastErrno);
                fd = Libc.OpenAt(dirFd, n, Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_NOFOLLOW | Libc.O_CLOEXEC, 0);
            }
            if (fd < 0) throw Fail("open directory", Show(rel), Libc.LastErrno);
            return fd;
        }
    }

    private void WriteFile(int dirFd, byte[] zname, ErofsInode ino, byte[] rel)
    {
        int fd;
        const int flags = Libc.O_WRONLY | Libc.O_CREAT | Libc.O_EXCL | Libc.O_NOFOLLOW | Libc.O_CLOEXEC;
        fixed (byte* n = zname)
        {
            fd = Libc.OpenAt(dirFd, n, flags, 0x180);
            if (fd < 0 && Libc.LastErrno == Libc.EEXIST && ClearWay(dirFd, zname))
                fd = Libc.OpenAt(dirFd, n, flags, 0x180);
        }
        if (fd < 0) throw Fail("create", Show(rel), Libc.LastErrno);
        if (_writers is null) FillFile(fd, ino, rel);
        else _writers.Post(new FillFileJob(this, fd, ino, rel));
    }

    /// <summary>A created file whose contents and attributes a writer thread fills.</summary>
    private sealed class FillFileJob(TreeExtractor owner, int fd, ErofsInode ino, byte[] rel) : FileContentWriters.IJob
    {
        public void Fill() => owner.FillFile(fd, ino, rel);

        public void Abandon() => Libc.Close(fd);
    }

    /// <summary>Writes a created file's contents (leaving holes as holes), then its attributes; closes it.</summary>
    private void FillFile(int fd, ErofsInode ino, byte[] rel)
    {
        try
        {
            var buf = ArrayPool<byte>.Shared.Rent(1 << 20);
            try
            {
                long size = (long)ino.Size, off = 0;
                bool sparseTail = false;
                while (off < size)
                {
                    int want = (int)Math.Min(buf.Length, size - off);
                    int got = ReadNamingTheFile(ino, off, buf.AsSpan(0, want), rel);
                    if (got != want) throw new ErofsCorruptImageException($"{Show(rel)}: file ended early", off, ino.Nid);
                    if (buf.AsSpan(0, got).IndexOfAnyExcept((byte)0) < 0)
                    {
                        // leave holes as holes
                        if (Libc.Lseek(fd, got, 1) < 0) throw Fail("seek", Show(rel), Libc.LastErrno);
                        sparseTail = true;
                    }
                    else
                    {
                        WriteAll(fd, buf.AsSpan(0, got), rel);
                        sparseTail = false;
                    }
                    off += got;
                }
                if (sparseTail && Libc.Ftruncate(fd, size) != 0) throw Fail("truncate", Show(rel), Libc.LastErrno);
                lock (_summary) _summary.Bytes += size;
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buf);
            }
            ApplyToFd(fd, ino, Show(rel));
        }
        finally
        {
            Libc.Close(fd);
        }
    }

    /// <summary>Reads file data; a corrupt or unreadable pcluster is reported with the path it belongs to.</summary>
    private int ReadNamingTheFile(ErofsInode ino, long offset, Span<byte> dest, byte[] rel)
    {
        try
        {
            return _image.Read(ino, offset, dest);
        }
        catch (ErofsCorruptImageException e)
        {
            throw new ErofsCorruptImageException($"{Show(rel)}: {e.Message}", inner: e);
        }
        catch (ErofsIoException e)
        {
            throw new ErofsIoException($"{Show(rel)}: {e.Message}", inner: e);
        }
    }

    private void WriteAll(int fd, ReadOnlySpan<byte> data, byte[] rel)
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
                    throw Fail("write", Show(rel), Libc.LastErrno);
                }
                done += (int)n;
            }
        }
    }

    private void MakeSymlink(int dirFd, byte[] zname, ErofsInode ino, byte[] rel)
    {
        var target = Libc.Z(_image.ReadLink(ino));
        if (target.AsSpan(0, target.Length - 1).IndexOf((byte)0) >= 0)
            throw new ErofsCorruptImageException($"{Show(rel)}: symlink target contains a NUL byte", null, ino.Nid);
        fixed (byte* t = target)
        fixed (byte* n = zname)
        {
            int r = Libc.SymlinkAt(t, dirFd, n);
            if (r != 0 && Libc.LastErrno == Libc.EEXIST && ClearWay(dirFd, zname)) r = Libc.SymlinkAt(t, dirFd, n);
            if (r != 0) throw Fail("symlink", Show(rel), Libc.LastErrno);
        }
        ApplyByName(dirFd, zname, ino, Show(rel), isSymlink: true);
    }

    private bool MakeSpecial(int dirFd, byte[] zname, ErofsInode ino, byte[] rel)
    {
        ulong dev = ino.Type is Format.InodeType.CharDevice or Format.InodeType.BlockDevice ? Libc.Makedev(ino.RdevMajor, ino.RdevMinor) : 0;
        uint mode = (ino.Mode & Libc.S_IFMT) | 0x180;
        fixed (byte* n = zname)
        {
            int r = Libc.MknodAt(dirFd, n, mode, dev);
            if (r != 0 && Libc.LastErrno == Libc.EEXIST && ClearWay(dirFd, zname)) r = Libc.MknodAt(dirFd, n, mode, dev);
            if (r != 0)
            {
                int err = Libc.LastErrno;
                if (err is Libc.EPERM or Libc.EACCES)
                {
                    Warn("mknod", $"cannot create device files without privileges (first: {Show(rel)}); they were skipped");
                    return false;
                }
                throw Fail("mknod", Show(rel), err);
            }
        }
        ApplyByName(dirFd, zname, ino, Show(rel), isSymlink: false);
        return true;
    }

    private void MakeHardlink(int dirFd, byte[] zname, byte[] sourceRel, byte[] rel)
    {
        var src = new byte[_destination.Length + sourceRel.Length + 1];
        _destination.CopyTo(src, 0);
        sourceRel.CopyTo(src, _destination.Length);
        fixed (byte* s = src)
        fixed (byte* n = zname)
        {
            int r = Libc.LinkAt(Libc.AT_FDCWD, s, dirFd, n, 0);
            if (r != 0 && Libc.LastErrno == Libc.EEXIST && ClearWay(dirFd, zname)) r = Libc.LinkAt(Libc.AT_FDCWD, s, dirFd, n, 0);
            if (r != 0) throw Fail("link", Show(rel), Libc.LastErrno);
        }
        _summary.Hardlinks++;
    }

    private static Libc.Timespec[] Times(ErofsInode ino) => new[]
    {
        new Libc.Timespec { Seconds = ino.MtimeSeconds, Nanoseconds = ino.MtimeNanoseconds },
        new Libc.Timespec { Seconds = ino.MtimeSeconds, Nanoseconds = ino.MtimeNanoseconds },
    };

    /// <summary>Owner, xattrs, mode and times, in that order (chown clears setuid bits and capabilities).</summary>
    private void ApplyToFd(int fd, ErofsInode ino, string shown)
    {
        if (_options.RestoreOwners && Libc.Fchown(fd, ino.Uid, ino.Gid) != 0)
            Warn("chown", $"{shown}: cannot set owner: {Libc.Describe(Libc.LastErrno)}");
        foreach (var x in _image.ListXattrs(ino))
        {
            var zn = Libc.Z(x.Name);
            fixed (byte* n = zn)
            fixed (byte* v = x.Value)
                if (Libc.Fsetxattr(fd, n, v, x.Value.Length, 0) != 0) XattrWarning(shown, x, Libc.LastErrno);
        }
        if (Libc.Fchmod(fd, ino.Permissions) != 0) Warn("chmod", $"{shown}: cannot set mode: {Libc.Describe(Libc.LastErrno)}");
        var t = Times(ino);
        fixed (Libc.Timespec* tp = t)
            if (Libc.Futimens(fd, tp) != 0) Warn("utimens", $"{shown}: cannot set times: {Libc.Describe(Libc.LastErrno)}");
    }

    private void ApplyByName(int dirFd, byte[] zname, ErofsInode ino, string shown, bool isSymlink)
    {
        fixed (byte* n = zname)
        {
            if (_options.RestoreOwners && Libc.FchownAt(dirFd, n, ino.Uid, ino.Gid, Libc.AT_SYMLINK_NOFOLLOW) != 0)
                Warn("chown", $"{shown}: cannot set owner: {Libc.Describe(Libc.LastErrno)}");
            var xattrs = _image.ListXattrs(ino);
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
                        if (Libc.Lsetxattr(p, xn, v, x.Value.Length, 0) != 0) XattrWarning(shown, x, Libc.LastErrno);
                }
            }
            if (!isSymlink && Libc.FchmodAt(dirFd, n, ino.Permissions, 0) != 0)
                Warn("chmod", $"{shown}: cannot set mode: {Libc.Describe(Libc.LastErrno)}");
            var t = Times(ino);
            fixed (Libc.Timespec* tp = t)
                if (Libc.UtimensAt(dirFd, n, tp, Libc.AT_SYMLINK_NOFOLLOW) != 0)
                    Warn("utimens", $"{shown}: cannot set times: {Libc.Describe(Libc.LastErrno)}");
        }
    }

    private void XattrWarning(string shown, Xattr x, int errno) =>
        Warn("xattr:" + x.NameText.Split('.')[0], $"{shown}: cannot set xattr {x.NameText}: {Libc.Describe(errno)}{(errno is Libc.EPERM ? " (needs root)" : "")}");
}
