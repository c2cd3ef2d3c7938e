using Erofs.Accel.Core;
using Erofs.Accel.Core.Export;
using Erofs.Accel.Core.Storage;
using Erofs.Accel.Decompression;
using Erofs.Accel.Format;

namespace Erofs.Accel.Fuzz;

/// <summary>Something the contract forbids: an undocumented exception, a hang, a write past a buffer, runaway allocation.</summary>
public sealed class ContractViolation(string message) : Exception(message);

/// <summary>
/// What a user of the library does with an image: open it, walk the tree, stat every node, list and read every xattr,
/// read every file fully and at random offsets, read links, look names up. Bounded work per input.
/// </summary>
public static class ReadEverythingTarget
{
    /// <summary>Decoded bytes read per input at most (a mutated size field must not make one input take minutes).</summary>
    public const long ReadBudget = 48L << 20;
    public const int NodeBudget = 20000;
    private const byte Guard = 0xCD;

    private static readonly SoftwareDecompressor Software = new();

    /// <summary>Runs the target; returns normally or with an <see cref="ErofsException"/> (both fine).</summary>
    public static void Run(byte[] image, IReadOnlyList<byte[]> devices, int seed)
    {
        var rng = new Random(seed);
        using var img = ErofsImage.Open(new MemorySource(image), devices.Select(d => (IRandomAccessSource)new MemorySource(d)).ToList(),
            new ErofsImageOptions { Decompressor = Software, DecodedCacheBytes = 8 << 20, MetadataCacheBytes = 2 << 20 });
        long budget = ReadBudget;
        int nodes = 0;
        var buffer = new byte[(64 << 10) + 64];
        foreach (var node in TreeWalker.Walk(img))
        {
            if (++nodes > NodeBudget || budget <= 0) break;
            var ino = node.Inode;
            _ = (ino.Mode, ino.Uid, ino.Gid, ino.Size, ino.LinkCount, ino.MtimeSeconds, ino.RdevMajor, ino.RdevMinor, ino.AllocatedBytes);
            foreach (var x in img.ListXattrs(ino))
            {
                var v = img.GetXattr(ino, x.Name);
                if (v is not null && !v.AsSpan().SequenceEqual(x.Value) && x.Name.Length < 256)
                {
                    // two entries with one name (a mutated image can hold that): lookup returns the first; not a violation
                }
            }
            switch (ino.Type)
            {
                case InodeType.Symlink:
                    img.ReadLink(ino);
                    break;
                case InodeType.Directory:
                    int looked = 0;
                    foreach (var e in img.ListDirectory(ino))
                    {
                        if (++looked > 4) break;
                        img.Lookup(ino, e.Name);
                    }
                    break;
                case InodeType.RegularFile:
                    long size = (long)Math.Min(ino.Size, (ulong)budget);
                    for (long off = 0; off < size && budget > 0; off += 64 << 10)
                        budget -= GuardedRead(img, ino, off, (int)Math.Min(64 << 10, size - off), buffer);
                    for (int k = 0; k < 3 && ino.Size > 0 && budget > 0; k++)
                    {
                        long off = rng.NextInt64((long)Math.Min(ino.Size, long.MaxValue / 2));
                        budget -= GuardedRead(img, ino, off, 1 + rng.Next(16 << 10), buffer);
                    }
                    break;
            }
        }
        img.TryResolve("/no/such/path/" + seed, followLastSymlink: true);
    }

    private static int GuardedRead(ErofsImage img, ErofsInode ino, long offset, int length, byte[] buffer)
    {
        buffer.AsSpan(length, 64).Fill(Guard);
        int n = img.Read(ino, offset, buffer.AsSpan(0, length));
        if (n < 0 || n > length) throw new ContractViolation($"read returned {n} for a {length}-byte buffer");
        if (buffer.AsSpan(length, 64).ContainsAnyExcept(Guard)) throw new ContractViolation("read wrote past the end of its buffer");
        return Math.Max(n, 1);
    }
}
