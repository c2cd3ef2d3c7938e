using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using System.Security.Cryptography;
using System.Text;

namespace Erofs.Accel.Core.Export;

/// <summary>
/// Writes the manifest of an image exactly as shared/tools/erofs-manifest writes it for a mounted tree: one line per
/// path sorted by raw bytes, 13 tab-separated fields. Streams: the tree is walked in the manifest's order (see
/// <see cref="TreeWalkOrder.SortedPaths"/>) and each line is written as soon as its file's digest is ready, so memory
/// does not grow with the number of paths or their length. Digests of up to <see cref="Parallelism"/> files are
/// computed at once, within a bounded window of lines waiting for them. Holes are hashed from a buffer of zeros
/// without reading or decoding anything, and a file that is one hole is hashed once per size.
/// </summary>
public sealed class ManifestWriter
{
    /// <summary>The header line naming the 13 columns.</summary>
    public const string Header = "#path\ttype\tmode\tuid\tgid\tsize\tnlink\tmtime\ttarget\trdev\tsha256\txattrs\tlink";

    /// <summary>Lines waiting for digests: at most this many per hashing thread...</summary>
    private const int WindowLinesPerThread = 128;
    /// <summary>...and at most this many characters in all (deep trees have megabyte-long paths).</summary>
    private const long WindowChars = 4 << 20;
    /// <summary>All-hole files whose digests are remembered by size.</summary>
    private const int RememberedHoleSizes = 64;

    private static readonly string EmptyDigest = Convert.ToHexStringLower(SHA256.HashData(ReadOnlySpan<byte>.Empty));

    private readonly ErofsImage _image;
    private readonly ConcurrentDictionary<long, Lazy<string>> _holeDigests = new();

    /// <summary>Print directory sizes as '-' (like --no-dir-size).</summary>
    public bool NoDirectorySize { get; init; }

    /// <summary>Hash files on this many threads (1 = on the caller's thread).</summary>
    public int Parallelism { get; init; } = 1;

    /// <summary>Bounds on the bytes hashed and the time taken (<see cref="ScanLimits.Default"/>).</summary>
    public ScanLimits Limits { get; init; } = ScanLimits.Default;

    /// <summary>A writer for the manifest of <paramref name="image"/>.</summary>
    public ManifestWriter(ErofsImage image) => _image = image;

    /// <summary>The first path of a hardlinked inode, kept as (directory, name), and its digest.</summary>
    private sealed class LinkGroup(TreeLocation directory, byte[] name, uint remaining, Digest? digest)
    {
        public void WriteEscapedPath(TextWriter output) => directory.WriteEscapedPathOf(output, name);
        public uint Remaining = remaining;
        public readonly Digest? Digest = digest;
    }

    /// <summary>
    /// One line's fields: the path, type to rdev, the digest (maybe still being computed), xattrs, and the link
    /// field (the path itself for a group's first member, another member's for the rest, or none). A line written at
    /// once takes its path from the walk; only lines that wait behind a digest hold their path as a string.
    /// </summary>
    private sealed record Line(string? Path, string Fields, Digest? Digest, string Xattrs, bool LinkToSelf, LinkGroup? LinkTo)
    {
        public long Chars => (Path?.Length ?? 0) + Fields.Length + Xattrs.Length;

        public void Write(TextWriter output, ReadOnlySpan<char> path)
        {
            output.Write(path);
            output.Write('\t');
            output.Write(Fields);
            output.Write(Digest?.Wait() ?? "-");
            output.Write('\t');
            output.Write(Xattrs);
            output.Write('\t');
            if (LinkToSelf) output.Write(path);
            else if (LinkTo is not null) LinkTo.WriteEscapedPath(output);
            else output.Write('-');
            output.Write('\n');
        }
    }

    /// <summary>A file's SHA-256, computed on a hashing thread or on the caller's.</summary>
    private sealed class Digest(ManifestWriter owner, ErofsInode inode, Func<string> path, ScanBudget budget) : FileContentWriters.IJob
    {
        private readonly ManualResetEventSlim _done = new();
        private string? _hex;
        private ExceptionDispatchInfo? _error;

        public void Fill()
        {
            try
            {
                _hex = owner.Sha256Hex(inode, path, budget);
            }
            catch (Exception e)
            {
                _error = ExceptionDispatchInfo.Capture(e);
            }
            finally
            {
                _done.Set();
            }
        }

        public void Abandon()
        {
            _error ??= ExceptionDispatchInfo.Capture(new OperationCanceledException("the manifest stopped before this file was hashed"));
            _done.Set();
        }

        public string Wait()
        {
            _done.Wait();
            _error?.Throw();
            return _hex!;
        }
    }

    /// <summary>Writes the header and one line per path, sorted by raw path bytes, to <paramref name="output"/>.</summary>
    public void Write(TextWriter output, CancellationToken cancellationToken = default)
    {
        using var budget = new ScanBudget(Limits, cancellationToken);
        using var walk = TreeWalk.FromRoot(_image, TreeWalkOrder.SortedPaths, escapePaths: true);
        using var hashers = Parallelism > 1 ? new FileContentWriters(Parallelism) : null;
        var window = new Queue<Line>();
        long windowChars = 0;
        int windowLines = WindowLinesPerThread * Math.Max(1, Parallelism);
        var groups = new Dictionary<ulong, LinkGroup>();
        output.Write(Header);
        output.Write('\n');
        var sb = new StringBuilder(256);
        while (walk.MoveNext())
        {
            if (walk.Kind != TreeWalk.Step.Node) continue;
            var ino = walk.Inode;
            var location = walk.Location ?? TreeLocation.Root;
            var name = walk.Name.ToArray();
            string Path() => location.Parent is null && name.Length == 0 ? "/" : location.EscapedPathOf(name);
            if (budget.Stopped) budget.ThrowStopped(Path());

            char t = TypeChar(ino.Type);
            sb.Clear();
            sb.Append(t).Append('\t');
            sb.Append(Convert.ToString(ino.Permissions, 8).PadLeft(4, '0')).Append('\t');
            sb.Append(ino.Uid).Append('\t').Append(ino.Gid).Append('\t');
            if (t == 'd') sb.Append(NoDirectorySize ? "-" : ino.Size.ToString());
            else if (t is 'c' or 'b' or 'p' or 's') sb.Append('0');
            else sb.Append(ino.Size);
            sb.Append('\t').Append(ino.LinkCount).Append('\t');
            sb.Append(ino.MtimeSeconds).Append('\t');
            sb.Append(t == 'l' ? ManifestEscaping.Escape(_image.ReadLink(ino)) : "-").Append('\t');
            sb.Append(t is 'c' or 'b' ? $"{ino.RdevMajor}:{ino.RdevMinor}" : "-").Append('\t');
            string fields = sb.ToString();

            Digest? digest = null;
            LinkGroup? linkTo = null;
            bool linkToSelf = false;
            bool linked = t != 'd' && ino.LinkCount > 1;
            if (linked && groups.TryGetValue(ino.Nid, out var group))
            {
                digest = group.Digest;
                linkTo = group;
                if (--group.Remaining == 0) groups.Remove(ino.Nid);
            }
            else
            {
                if (t == 'f')
                {
                    if (ino.Size > 0)
                    {
                        var shown = Path();
                        budget.CheckFile(shown, (long)ino.Size);
                        budget.Charge(shown, (long)ino.Size);
                    }
                    digest = new Digest(this, ino, Path, budget);
                    if (hashers is null) digest.Fill();
                    else hashers.Post(digest);
                }
                if (linked)
                {
                    groups[ino.Nid] = new LinkGroup(location, name, ino.LinkCount - 1, digest);
                    linkToSelf = true;
                }
            }
            bool waits = window.Count > 0 || (digest is not null && hashers is not null);
            var line = new Line(waits ? walk.EscapedPath.ToString() : null, fields, digest, FormatXattrs(ino), linkToSelf, linkTo);
            if (!waits)
            {
                line.Write(output, walk.EscapedPath);
                continue;
            }
            window.Enqueue(line);
            windowChars += line.Chars;
            while (window.Count > windowLines || (windowChars > WindowChars && window.Count > 1))
                windowChars -= WriteLine(output, window.Dequeue());
        }
        while (window.Count > 0) WriteLine(output, window.Dequeue());
        hashers?.Finish();
    }

    private static long WriteLine(TextWriter output, Line line)
    {
        line.Write(output, line.Path);
        return line.Chars;
    }

    private string FormatXattrs(ErofsInode ino)
    {
        var list = _image.ListXattrs(ino);
        if (list.Count == 0) return "-";
        var sorted = list.ToArray();
        Array.Sort(sorted, (a, b) =>
        {
            int c = a.Name.AsSpan().SequenceCompareTo(b.Name);
            return c != 0 ? c : a.Value.AsSpan().SequenceCompareTo(b.Value);
        });
        return string.Join(",", sorted.Select(x => ManifestEscaping.EscapeXattrName(x.Name) + "=" + Convert.ToHexStringLower(x.Value)));
    }

    /// <summary>The manifest's type letter: f, d, l, c, b, p or s.</summary>
    public static char TypeChar(InodeType t) => t switch
    {
        InodeType.Directory => 'd',
        InodeType.RegularFile => 'f',
        InodeType.Symlink => 'l',
        InodeType.CharDevice => 'c',
        InodeType.BlockDevice => 'b',
        InodeType.Fifo => 'p',
        InodeType.Socket => 's',
        _ => '?',
    };

    private string Sha256Hex(ErofsInode inode, Func<string> path, ScanBudget budget)
    {
        long size = (long)inode.Size;
        if (size == 0) return EmptyDigest;
        if (FileContents.HoleLength(_image, inode, 0, size) == size)
        {
            if (_holeDigests.TryGetValue(size, out var known)) return known.Value;
            if (_holeDigests.Count >= RememberedHoleSizes) return HashZeros(size, path, budget);
            return _holeDigests.GetOrAdd(size, s => new Lazy<string>(() => HashZeros(s, path, budget))).Value;
        }
        using var h = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buf = System.Buffers.ArrayPool<byte>.Shared.Rent(1 << 20);
        try
        {
            long off = 0;
            while (off < size)
            {
                if (budget.Stopped) budget.ThrowStopped(path());
                long hole = FileContents.HoleLength(_image, inode, off, size - off);
                if (hole > 0)
                {
                    AppendZeros(h, hole, path, budget);
                    off += hole;
                    continue;
                }
                int n = FileContents.Read(_image, inode, off, buf.AsSpan(0, (int)Math.Min(buf.Length, size - off)), path);
                if (n <= 0) throw new ErofsCorruptImageException($"{path()}: file ended early", off, inode.Nid);
                h.AppendData(buf, 0, n);
                off += n;
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buf);
        }
        return Convert.ToHexStringLower(h.GetHashAndReset());
    }

    private static string HashZeros(long size, Func<string> path, ScanBudget budget)
    {
        using var h = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        AppendZeros(h, size, path, budget);
        return Convert.ToHexStringLower(h.GetHashAndReset());
    }

    /// <summary>SHA-256 has no shortcut over zeros: they are fed from one shared buffer, nothing read or cleared.</summary>
    private static void AppendZeros(IncrementalHash h, long count, Func<string> path, ScanBudget budget)
    {
        var zeros = FileContents.Zeros;
        while (count > 0)
        {
            if (budget.Stopped) budget.ThrowStopped(path());
            int n = (int)Math.Min(zeros.Length, count);
            h.AppendData(zeros, 0, n);
            count -= n;
        }
    }
}
