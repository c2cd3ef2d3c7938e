using System.Buffers.Binary;
using System.Text;

namespace Erofs.Accel.Testing;

/// <summary>
/// Writes small uncompressed EROFS images from a node tree, for shapes mkfs.erofs cannot make from a real directory
/// (nesting past PATH_MAX, declared sizes of 2^50 bytes, symlink targets longer than 4095 bytes) or makes too slowly.
/// Layout: superblock in block 0, extended (64-byte) inodes from block 1, each followed by its inline data (FLAT_INLINE
/// when the data fits in the inode's block) or chunk table; larger data in whole blocks after the inodes (FLAT_PLAIN).
/// Sparse files are chunk-based with 4-byte block maps whose hole entries are 0xFFFFFFFF. No xattrs, no checksum.
/// </summary>
public sealed class CraftedImage
{
    public const int BlockSize = 4096;
    private const int InodeSize = 64;

    public enum Kind { Directory, File, SparseFile, Symlink, CharDevice, BlockDevice, Fifo }

    /// <summary>One inode. The same node placed in several directories becomes a hardlink group.</summary>
    public sealed class Node
    {
        public Kind Kind { get; init; }
        public uint Permissions { get; init; } = 0x1ED; // 0755
        public uint Uid { get; init; }
        public uint Gid { get; init; }
        public long Mtime { get; init; } = 1_700_000_000;
        /// <summary>File contents or symlink target.</summary>
        public byte[] Data { get; init; } = Array.Empty<byte>();
        /// <summary>Sparse files: declared size, the chunk size (bits above the block size) and chunks holding data.</summary>
        public long SparseSize { get; init; }
        public int ChunkBitsAboveBlock { get; init; }
        /// <summary>Chunk index to the byte every byte of that chunk holds (all other chunks are holes).</summary>
        public IReadOnlyDictionary<long, byte> FilledChunks { get; init; } = new Dictionary<long, byte>();
        public uint Major { get; init; }
        public uint Minor { get; init; }
        public List<(byte[] Name, Node Child)> Children { get; } = new();
        /// <summary>Directories: write the entries in the order they were added instead of sorted (mkfs.erofs sorts).</summary>
        public bool Unsorted { get; init; }

        public Node Add(string name, Node child) => Add(Encoding.UTF8.GetBytes(name), child);

        public Node Add(byte[] name, Node child)
        {
            if (Kind != Kind.Directory) throw new InvalidOperationException("only directories have children");
            Children.Add((name, child));
            return child;
        }
    }

    public static Node Directory(uint permissions = 0x1ED, uint uid = 0, uint gid = 0, bool unsorted = false) =>
        new() { Kind = Kind.Directory, Permissions = permissions, Uid = uid, Gid = gid, Unsorted = unsorted };

    public static Node File(byte[] data, uint permissions = 0x1A4, uint uid = 0, uint gid = 0) =>
        new() { Kind = Kind.File, Data = data, Permissions = permissions, Uid = uid, Gid = gid };

    public static Node File(string text, uint permissions = 0x1A4) => File(Encoding.UTF8.GetBytes(text), permissions);

    public static Node Symlink(byte[] target) => new() { Kind = Kind.Symlink, Data = target, Permissions = 0x1FF };

    public static Node Sparse(long size, int chunkBitsAboveBlock, IReadOnlyDictionary<long, byte>? filledChunks = null) =>
        new()
        {
            Kind = Kind.SparseFile, SparseSize = size, ChunkBitsAboveBlock = chunkBitsAboveBlock, Permissions = 0x1A4,
            FilledChunks = filledChunks ?? new Dictionary<long, byte>(),
        };

    public static Node Device(Kind kind, uint major, uint minor, uint permissions = 0x1B6) =>
        new() { Kind = kind, Major = major, Minor = minor, Permissions = permissions };

    private sealed class Placed
    {
        public ulong Nid;
        public long MetaPosition;
        public byte[] Content = Array.Empty<byte>(); // directory blocks, file data or symlink target
        public bool Inline;
        public long DataBlock;
        public int ChunkEntries;
        public uint Nlink;
        public ulong Ino;
    }

    /// <summary>Writes the image of the tree under <paramref name="root"/> to <paramref name="path"/>.</summary>
    public static void Write(Node root, string path)
    {
        // every distinct node once, parents before children (iteratively: trees may be thousands of levels deep)
        var order = new List<Node>();
        var placed = new Dictionary<Node, Placed>(ReferenceEqualityComparer.Instance);
        var parents = new Dictionary<Node, Node>(ReferenceEqualityComparer.Instance);
        var queue = new Queue<Node>();
        queue.Enqueue(root);
        placed[root] = new Placed { Nlink = 0 };
        parents[root] = root;
        while (queue.Count > 0)
        {
            var n = queue.Dequeue();
            order.Add(n);
            foreach (var (_, child) in n.Children)
            {
                if (!placed.TryGetValue(child, out var p))
                {
                    placed[child] = p = new Placed();
                    if (child.Kind == Kind.Directory) parents[child] = n;
                    queue.Enqueue(child);
                }
                p.Nlink++;
            }
        }
        foreach (var n in order)
            if (n.Kind == Kind.Directory) placed[n].Nlink = 2 + (uint)n.Children.Count(c => c.Child.Kind == Kind.Directory);

        // metadata positions (relative to block 1); directory contents are laid out once nids are known
        long pos = 0;
        ulong ino = 1;
        foreach (var n in order)
        {
            var p = placed[n];
            p.Ino = ino++;
            int inlineBytes = 0;
            if (n.Kind == Kind.SparseFile)
            {
                long chunk = (long)BlockSize << n.ChunkBitsAboveBlock;
                p.ChunkEntries = (int)((n.SparseSize + chunk - 1) / chunk);
                inlineBytes = 4 * p.ChunkEntries;
            }
            else
            {
                long len = n.Kind == Kind.Directory ? DirectorySize(n) : n.Data.Length;
                p.Inline = len <= BlockSize - InodeSize;
                if (p.Inline) inlineBytes = (int)len;
            }
            if (n.Kind != Kind.SparseFile && inlineBytes > 0 && (pos + InodeSize) % BlockSize + inlineBytes > BlockSize)
                pos = (pos + BlockSize - 1) / BlockSize * BlockSize;
            p.MetaPosition = pos;
            p.Nid = (ulong)(pos / 32);
            pos += InodeSize + inlineBytes;
            pos = (pos + 31) / 32 * 32;
        }
        if (placed[root].Nid > ushort.MaxValue) throw new InvalidOperationException("root nid does not fit 16 bits");
        long metaBlocks = (pos + BlockSize - 1) / BlockSize;
        long nextBlock = 1 + metaBlocks;
        foreach (var n in order)
        {
            var p = placed[n];
            p.Content = n.Kind == Kind.Directory ? DirectoryBlocks(n, placed, parents[n]) : n.Data;
            if (n.Kind == Kind.SparseFile)
            {
                p.DataBlock = nextBlock;
                nextBlock += n.FilledChunks.Count;
            }
            else if (!p.Inline)
            {
                p.DataBlock = nextBlock;
                nextBlock += (p.Content.Length + BlockSize - 1) / BlockSize;
            }
        }

        using var f = new FileStream(path, FileMode.Create, FileAccess.Write);
        f.SetLength(nextBlock * BlockSize);
        var sb = new byte[128];
        BinaryPrimitives.WriteUInt32LittleEndian(sb, 0xE0F5E1E2);
        BinaryPrimitives.WriteUInt32LittleEndian(sb.AsSpan(8), 0x2); // compat: MTIME
        sb[12] = 12;
        BinaryPrimitives.WriteUInt16LittleEndian(sb.AsSpan(14), (ushort)placed[root].Nid);
        BinaryPrimitives.WriteUInt64LittleEndian(sb.AsSpan(16), (ulong)order.Count);
        BinaryPrimitives.WriteUInt32LittleEndian(sb.AsSpan(36), (uint)nextBlock);
        BinaryPrimitives.WriteUInt32LittleEndian(sb.AsSpan(40), 1); // meta_blkaddr
        BinaryPrimitives.WriteUInt32LittleEndian(sb.AsSpan(80), order.Any(n => n.Kind == Kind.SparseFile) ? 0x4u : 0u);
        f.Position = 1024;
        f.Write(sb);

        var inode = new byte[InodeSize];
        foreach (var n in order)
        {
            var p = placed[n];
            Array.Clear(inode);
            int layout = n.Kind == Kind.SparseFile ? 4 : p.Inline ? 2 : 0;
            BinaryPrimitives.WriteUInt16LittleEndian(inode, (ushort)(1 | layout << 1));
            BinaryPrimitives.WriteUInt16LittleEndian(inode.AsSpan(4), (ushort)(TypeBits(n.Kind) | n.Permissions));
            ulong size = n.Kind switch
            {
                Kind.SparseFile => (ulong)n.SparseSize,
                Kind.CharDevice or Kind.BlockDevice or Kind.Fifo => 0,
                _ => (ulong)p.Content.Length,
            };
            BinaryPrimitives.WriteUInt64LittleEndian(inode.AsSpan(8), size);
            uint u = n.Kind switch
            {
                Kind.SparseFile => (uint)n.ChunkBitsAboveBlock,
                Kind.CharDevice or Kind.BlockDevice => (n.Minor & 0xFF) | (n.Major << 8) | ((n.Minor & ~0xFFu) << 12),
                _ => p.Inline ? 0 : (uint)p.DataBlock,
            };
            BinaryPrimitives.WriteUInt32LittleEndian(inode.AsSpan(16), u);
            BinaryPrimitives.WriteUInt32LittleEndian(inode.AsSpan(20), (uint)p.Ino);
            BinaryPrimitives.WriteUInt32LittleEndian(inode.AsSpan(24), n.Uid);
            BinaryPrimitives.WriteUInt32LittleEndian(inode.AsSpan(28), n.Gid);
            BinaryPrimitives.WriteInt64LittleEndian(inode.AsSpan(32), n.Mtime);
            BinaryPrimitives.WriteUInt32LittleEndian(inode.AsSpan(44), p.Nlink);
            f.Position = BlockSize + p.MetaPosition;
            f.Write(inode);
            if (n.Kind == Kind.SparseFile)
            {
                var table = new byte[4 * p.ChunkEntries];
                table.AsSpan().Fill(0xFF);
                long block = p.DataBlock;
                foreach (var (chunk, fill) in n.FilledChunks.OrderBy(c => c.Key))
                {
                    // a filled chunk maps one block of data: the chunk holds it at its start, then the block repeats
                    // nowhere (chunk size is one block in images that fill chunks)
                    if (n.ChunkBitsAboveBlock != 0) throw new InvalidOperationException("filled chunks need one-block chunks");
                    BinaryPrimitives.WriteUInt32LittleEndian(table.AsSpan((int)(4 * chunk)), (uint)block);
                    var data = new byte[BlockSize];
                    data.AsSpan().Fill(fill);
                    long here = f.Position;
                    f.Position = block * BlockSize;
                    f.Write(data);
                    f.Position = here;
                    block++;
                }
                f.Write(table);
            }
            else if (p.Inline) f.Write(p.Content);
            else
            {
                f.Position = p.DataBlock * BlockSize;
                f.Write(p.Content);
            }
        }
    }

    private static uint TypeBits(Kind k) => k switch
    {
        Kind.Directory => 0x4000,
        Kind.File or Kind.SparseFile => 0x8000,
        Kind.Symlink => 0xA000,
        Kind.CharDevice => 0x2000,
        Kind.BlockDevice => 0x6000,
        _ => 0x1000,
    };

    private static byte DirentType(Kind k) => k switch
    {
        Kind.File or Kind.SparseFile => 1,
        Kind.Directory => 2,
        Kind.CharDevice => 3,
        Kind.BlockDevice => 4,
        Kind.Fifo => 5,
        _ => 7,
    };

    private static List<(byte[] Name, Node? Child)> SortedEntries(Node dir)
    {
        var list = new List<(byte[] Name, Node? Child)> { ("."u8.ToArray(), null), (".."u8.ToArray(), null) };
        list.AddRange(dir.Children.Select(c => (c.Name, (Node?)c.Child)));
        if (!dir.Unsorted) list.Sort((a, b) => a.Name.AsSpan().SequenceCompareTo(b.Name));
        return list;
    }

    /// <summary>Splits the sorted entries into blocks: as many (12-byte dirent + name) as fit in each.</summary>
    private static List<List<(byte[] Name, Node? Child)>> Blocks(Node dir)
    {
        var blocks = new List<List<(byte[] Name, Node? Child)>> { new() };
        int used = 0;
        foreach (var e in SortedEntries(dir))
        {
            if (used + 12 + e.Name.Length > BlockSize)
            {
                blocks.Add(new());
                used = 0;
            }
            blocks[^1].Add(e);
            used += 12 + e.Name.Length;
        }
        return blocks;
    }

    private static long DirectorySize(Node dir)
    {
        var blocks = Blocks(dir);
        return (long)(blocks.Count - 1) * BlockSize + blocks[^1].Sum(e => 12 + e.Name.Length);
    }

    private static byte[] DirectoryBlocks(Node dir, Dictionary<Node, Placed> placed, Node parent)
    {
        var blocks = Blocks(dir);
        var data = new byte[DirectorySize(dir)];
        for (int b = 0; b < blocks.Count; b++)
        {
            var entries = blocks[b];
            var block = data.AsSpan(b * BlockSize);
            int nameOff = 12 * entries.Count;
            for (int i = 0; i < entries.Count; i++)
            {
                var (name, child) = entries[i];
                bool dot = child is null && name.Length == 1, dotdot = child is null && name.Length == 2;
                var target = dot ? dir : dotdot ? parent : child!;
                BinaryPrimitives.WriteUInt64LittleEndian(block[(12 * i)..], placed[target].Nid);
                BinaryPrimitives.WriteUInt16LittleEndian(block[(12 * i + 8)..], (ushort)nameOff);
                block[12 * i + 10] = DirentType(target.Kind);
                name.CopyTo(block[nameOff..]);
                nameOff += name.Length;
            }
        }
        return data;
    }
}
