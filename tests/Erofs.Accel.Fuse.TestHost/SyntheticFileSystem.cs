using System.Buffers;
using System.Text;
using Erofs.Accel.Fuse;

namespace Erofs.Accel.Fuse.TestHost;

/// <summary>
/// A deterministic in-memory read-only filesystem for exercising the FUSE server: regular files of many sizes whose
/// bytes come from <see cref="SyntheticContent"/>, large directories, symlinks, a hard link, device nodes, extended
/// attributes, and files whose reads fail on purpose.
/// </summary>
public sealed class SyntheticFileSystem : IReadOnlyFileSystem
{
    public const ulong RootInodeNumber = 5;
    public const uint BlockSize = 4096;

    private readonly Dictionary<ulong, SyntheticNode> _nodes = new();
    private readonly List<(string Path, SyntheticNode Node)> _paths = new();
    private long _readCalls;

    private SyntheticFileSystem()
    {
        Root = new SyntheticNode(RootInodeNumber, Modes.Directory | 0x1ED);
        _nodes.Add(Root.Inode, Root);
    }

    public SyntheticNode Root { get; }

    public ulong RootInode => RootInodeNumber;

    /// <summary>Every node below the root with its path relative to the root ("/"-separated), in creation order.</summary>
    public IReadOnlyList<(string Path, SyntheticNode Node)> Paths => _paths;

    /// <summary>Number of Read calls served (for tests that check the kernel's request sizes).</summary>
    public long ReadCalls => Interlocked.Read(ref _readCalls);

    public SyntheticNode Node(string path)
    {
        var node = Root;
        foreach (var part in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
            node = node.Find(part) ?? throw new KeyNotFoundException(path);
        return node;
    }

    /// <summary>The standard tree used by the tests; <paramref name="fileCount"/> (at least 12) regular files under /files.</summary>
    public static SyntheticFileSystem CreateDefault(int fileCount = 120, int manyCount = 2500)
    {
        var fs = new SyntheticFileSystem();
        var inode = 1UL;
        ulong NextInode()
        {
            if (inode == RootInodeNumber) inode++;
            return inode++;
        }

        SyntheticNode Directory(SyntheticNode parent, string name, string path)
        {
            var node = new SyntheticNode(NextInode(), Modes.Directory | 0x1ED) { LinkCount = 2 };
            fs.Register(parent, name, path, node);
            return node;
        }

        SyntheticNode File(SyntheticNode parent, string name, string path, long size, ReadStyle style = ReadStyle.IntoBuffer)
        {
            var node = new SyntheticNode(NextInode(), Modes.RegularFile | 0x1A4) { Size = size, ReadStyle = style };
            fs.Register(parent, name, path, node);
            return node;
        }

        var files = Directory(fs.Root, "files", "files");
        files.ExtendedAttributes["user.kind"] = "directory of files"u8.ToArray();
        long[] fixedSizes = [0, 1, 511, 4095, 4096, 4097, 65535, 65536, 131073, 1 << 20, (1 << 20) + 1, (3 << 20) + 17];
        var random = new Random(12345);
        fileCount = Math.Max(fileCount, fixedSizes.Length);
        for (var i = 0; i < fileCount; i++)
        {
            var size = i < fixedSizes.Length ? fixedSizes[i] : random.NextInt64(0, 2 << 20);
            var name = $"f{i:D4}.bin";
            var node = File(files, name, "files/" + name, size, (ReadStyle)(i % 3));
            node.ModificationTime = 1_600_000_000 + i;
            if (i % 5 == 0)
            {
                node.ExtendedAttributes["user.index"] = Encoding.ASCII.GetBytes(i.ToString(System.Globalization.CultureInfo.InvariantCulture));
                node.ExtendedAttributes["user.blob"] = SyntheticContent.Range(node.Inode, 1_000_000, 300);
            }
        }
        var large = fs.Node("files/f0003.bin");
        large.ExtendedAttributes["user.large"] = SyntheticContent.Range(large.Inode, 7, 20_000);

        var hardLinked = fs.Node("files/f0002.bin");
        hardLinked.LinkCount = 2;
        files.Add("hardlink.bin", hardLinked);
        fs._paths.Add(("files/hardlink.bin", hardLinked));

        var names = Directory(fs.Root, "names", "names");
        foreach (var name in new[] { "with space", "ünïcödé-ñame", "trailing.", new string('n', 255), "-dash", "#hash" })
            File(names, name, "names/" + name, name.Length * 100);

        var many = Directory(fs.Root, "many", "many");
        for (var i = 0; i < manyCount; i++)
        {
            var name = $"entry-{i:D5}";
            File(many, name, "many/" + name, i % 50);
        }

        var links = Directory(fs.Root, "links", "links");
        fs.Link(links, "relative", "links/relative", NextInode(), "../files/f0001.bin");
        fs.Link(links, "absolute", "links/absolute", NextInode(), "/nonexistent/target");
        fs.Link(links, "long", "links/long", NextInode(), string.Concat(Enumerable.Repeat("segment/", 400)) + "end");
        fs.Link(links, "to-dir", "links/to-dir", NextInode(), "../many");

        var special = Directory(fs.Root, "special", "special");
        var device = new SyntheticNode(NextInode(), Modes.CharacterDevice | 0x1A4) { DeviceNumber = (1 << 8) | 3 };
        fs.Register(special, "chardev", "special/chardev", device);
        fs.Register(special, "fifo", "special/fifo", new SyntheticNode(NextInode(), Modes.Fifo | 0x1A4));

        var errors = Directory(fs.Root, "errors", "errors");
        File(errors, "throws.bin", "errors/throws.bin", 10_000, ReadStyle.Throws);
        File(errors, "errno.bin", "errors/errno.bin", 10_000, ReadStyle.FailsWithErrno);

        var deep = fs.Root;
        var deepPath = "";
        for (var level = 0; level < 12; level++)
        {
            deepPath += (level == 0 ? "" : "/") + $"d{level}";
            deep = Directory(deep, $"d{level}", deepPath);
        }
        File(deep, "leaf.txt", deepPath + "/leaf.txt", 1234);
        return fs;
    }

    public Errno Lookup(ulong parent, ReadOnlySpan<byte> name, out NodeAttributes attributes)
    {
        attributes = default;
        if (!_nodes.TryGetValue(parent, out var directory)) return Errno.ENOENT;
        if (!directory.IsDirectory) return Errno.ENOTDIR;
        var child = directory.Find(Encoding.UTF8.GetString(name));
        if (child is null) return Errno.ENOENT;
        attributes = AttributesOf(child);
        return Errno.Success;
    }

    public Errno GetAttributes(ulong inode, out NodeAttributes attributes)
    {
        attributes = default;
        if (!_nodes.TryGetValue(inode, out var node)) return Errno.ENOENT;
        attributes = AttributesOf(node);
        return Errno.Success;
    }

    public Errno ReadLink(ulong inode, Span<byte> destination, out int length)
    {
        length = 0;
        if (!_nodes.TryGetValue(inode, out var node)) return Errno.ENOENT;
        if (node.LinkTarget is null) return Errno.EINVAL;
        length = node.LinkTarget.Length;
        if (length <= destination.Length) node.LinkTarget.CopyTo(destination);
        return Errno.Success;
    }

    public Errno Read(ulong inode, long offset, int length, ReadReply reply)
    {
        Interlocked.Increment(ref _readCalls);
        if (!_nodes.TryGetValue(inode, out var node)) return Errno.ENOENT;
        if (node.IsDirectory) return Errno.EISDIR;
        if (node.ReadStyle == ReadStyle.Throws) throw new InvalidOperationException($"synthetic failure reading inode {inode}");
        if (node.ReadStyle == ReadStyle.FailsWithErrno) throw new FileSystemErrorException(Errno.EIO);
        if (offset >= node.Size) return Errno.Success;
        var count = (int)Math.Min(length, node.Size - offset);
        switch (node.ReadStyle)
        {
            case ReadStyle.IntoBuffer:
                SyntheticContent.Fill(inode, offset, reply.GetSpan()[..count]);
                reply.Advance(count);
                break;
            case ReadStyle.Segments:
                AddPooledSegments(reply, inode, offset, count, 64 * 1024);
                break;
            default:
                var done = 0;
                var toggle = false;
                while (done < count)
                {
                    var piece = Math.Min(count - done, toggle ? 48 * 1024 : 3000);
                    if (toggle)
                    {
                        AddPooledSegments(reply, inode, offset + done, piece, piece);
                    }
                    else
                    {
                        SyntheticContent.Fill(inode, offset + done, reply.GetSpan()[..piece]);
                        reply.Advance(piece);
                    }
                    done += piece;
                    toggle = !toggle;
                }
                break;
        }
        if (node.PrefillBlock > 0) reply.SuggestPrefill(offset / node.PrefillBlock * node.PrefillBlock, node.PrefillBlock);
        return Errno.Success;
    }

    public Errno ReadDirectory(ulong inode, long offset, DirectoryListing listing)
    {
        if (!_nodes.TryGetValue(inode, out var node)) return Errno.ENOENT;
        if (!node.IsDirectory) return Errno.ENOTDIR;
        // cookies: 1 after ".", 2 after "..", 3 + i after child i
        var total = node.Entries.Count + 2;
        for (var index = offset; index < total; index++)
        {
            bool added;
            if (index == 0) added = listing.TryAdd("."u8, node.Inode, FileType.Directory, 1);
            else if (index == 1) added = listing.TryAdd(".."u8, (node.Parent ?? node).Inode, FileType.Directory, 2);
            else
            {
                var (name, child) = node.Entries[(int)index - 2];
                added = listing.TryAdd(name, child.Inode, child.Type, index + 1);
            }
            if (!added) break;
        }
        return Errno.Success;
    }

    public Errno GetExtendedAttribute(ulong inode, ReadOnlySpan<byte> name, Span<byte> destination, out int length)
    {
        length = 0;
        if (!_nodes.TryGetValue(inode, out var node)) return Errno.ENOENT;
        if (!node.ExtendedAttributes.TryGetValue(Encoding.UTF8.GetString(name), out var value)) return Errno.ENODATA;
        length = value.Length;
        if (value.Length <= destination.Length) value.CopyTo(destination);
        return Errno.Success;
    }

    /// <summary>The caller of the latest LISTXATTR, as the server passed it.</summary>
    public RequestCaller LastListCaller { get; private set; }

    public Errno ListExtendedAttributes(ulong inode, in RequestCaller caller, Span<byte> destination, out int length)
    {
        LastListCaller = caller;
        length = 0;
        if (!_nodes.TryGetValue(inode, out var node)) return Errno.ENOENT;
        var list = new List<byte>();
        foreach (var key in node.ExtendedAttributes.Keys)
        {
            list.AddRange(Encoding.UTF8.GetBytes(key));
            list.Add(0);
        }
        length = list.Count;
        if (list.Count <= destination.Length) list.ToArray().CopyTo(destination);
        return Errno.Success;
    }

    public FileSystemStatistics GetStatistics()
    {
        long bytes = 0;
        foreach (var node in _nodes.Values) bytes += node.Size;
        return new FileSystemStatistics((ulong)((bytes + BlockSize - 1) / BlockSize), BlockSize, (ulong)_nodes.Count);
    }

    /// <summary>The attributes the server should report for <paramref name="node"/>.</summary>
    public static NodeAttributes AttributesOf(SyntheticNode node)
    {
        var attributes = new NodeAttributes
        {
            Inode = node.Inode,
            Size = node.LinkTarget is not null ? (ulong)node.LinkTarget.Length : (ulong)node.Size,
            Mode = node.Mode,
            LinkCount = node.LinkCount,
            UserId = 1000,
            GroupId = 1000,
            DeviceNumber = node.DeviceNumber,
            BlockSize = BlockSize,
        };
        attributes.SetAllTimes(node.ModificationTime, node.ModificationTimeNanoseconds);
        return attributes;
    }

    private static void AddPooledSegments(ReadReply reply, ulong inode, long offset, int count, int chunk)
    {
        var done = 0;
        while (done < count)
        {
            var piece = Math.Min(chunk, count - done);
            var array = ArrayPool<byte>.Shared.Rent(piece);
            SyntheticContent.Fill(inode, offset + done, array.AsSpan(0, piece));
            reply.AddSegment(array.AsMemory(0, piece), new PoolReturn(array));
            done += piece;
        }
    }

    private void Register(SyntheticNode parent, string name, string path, SyntheticNode node)
    {
        parent.Add(name, node);
        _nodes.Add(node.Inode, node);
        _paths.Add((path, node));
    }

    private void Link(SyntheticNode parent, string name, string path, ulong inode, string target) =>
        Register(parent, name, path, new SyntheticNode(inode, Modes.SymbolicLink | 0x1FF) { LinkTarget = Encoding.UTF8.GetBytes(target) });

    private sealed class PoolReturn(byte[] array) : IDisposable
    {
        private byte[]? _array = array;

        public void Dispose()
        {
            var array = Interlocked.Exchange(ref _array, null);
            if (array is not null) ArrayPool<byte>.Shared.Return(array);
        }
    }

    /// <summary>st_mode type bits.</summary>
    public static class Modes
    {
        public const uint Fifo = 0x1000;
        public const uint CharacterDevice = 0x2000;
        public const uint Directory = 0x4000;
        public const uint RegularFile = 0x8000;
        public const uint SymbolicLink = 0xA000;
    }
}
