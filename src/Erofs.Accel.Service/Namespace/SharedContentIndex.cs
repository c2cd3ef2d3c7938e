using System.Collections.Concurrent;
using System.IO.Hashing;
using Erofs.Accel.Fuse;
using Erofs.Accel.Service.Images;
using Erofs.Accel.Service.Metrics;

namespace Erofs.Accel.Service.Namespace;

/// <summary>
/// Decides which files of the shared namespace are one node. Two regular files are one node when they are in the same
/// sharing domain and have the same content fingerprint (the image's ishare xattr) and the same attributes as stat(2)
/// and the xattr calls show them: mode, owner, group, size, mtime with nanoseconds, link count and every visible xattr
/// (name and value). The kernel keeps attributes and pages per node, so such files then have one page-cache copy and
/// look exactly as they would apart. Hard-linked files (link count above 1) join a node with at most one nid per image,
/// so two different link groups of one image never merge. st_blocks of a shared node is derived from its size (the
/// allocation differs between images compressed differently).
/// Fingerprints are the images' claims, not checked against the data: share only images you trust alike (domains).
/// </summary>
internal sealed class SharedContentIndex
{
    /// <summary>What makes two files one node.</summary>
    internal readonly record struct ContentKey(
        string Domain, string Fingerprint, uint Mode, uint UserId, uint GroupId, ulong Size, long MtimeSeconds, uint MtimeNanoseconds,
        uint LinkCount, string XattrDigest);

    /// <summary>One file behind a shared node.</summary>
    internal readonly record struct Holder(AttachedImage Image, ulong Nid);

    private sealed class SharedNode(long serial, ContentKey key)
    {
        public long Serial { get; } = serial;
        public ContentKey Key { get; } = key;
        /// <summary>Copy-on-write under the index lock; readers take the array as it is.</summary>
        public Holder[] Holders = Array.Empty<Holder>();
    }

    private readonly object _gate = new();
    private readonly Dictionary<ContentKey, SharedNode> _byKey = new();
    private readonly ConcurrentDictionary<long, SharedNode> _bySerial = new();
    /// <summary>(image serial, nid) to shared serial, 0 meaning "a node of its image".</summary>
    private readonly ConcurrentDictionary<(int Image, ulong Nid), long> _decisions = new();
    private long _nextSerial;
    private long _crossImageJoins;

    /// <summary>
    /// The shared serial of file <paramref name="nid"/> of <paramref name="image"/> (whose attributes, as served, are
    /// <paramref name="attributes"/>), or 0 when it is served as a node of its image. Decided once per file.
    /// </summary>
    public long Resolve(AttachedImage image, ulong nid, in NodeAttributes attributes)
    {
        if (_decisions.TryGetValue((image.Serial, nid), out var known)) return known;
        var key = KeyOf(image, nid, attributes);
        lock (_gate)
        {
            if (_decisions.TryGetValue((image.Serial, nid), out known)) return known;
            if (image.IsDetached) return 0;
            long serial = 0;
            if (key is { } k)
            {
                if (!_byKey.TryGetValue(k, out var node))
                {
                    node = new SharedNode(++_nextSerial, k);
                    _byKey.Add(k, node);
                    _bySerial[node.Serial] = node;
                }
                bool otherLinkGroup = k.LinkCount > 1 && node.Holders.Any(h => h.Image == image && h.Nid != nid);
                if (!otherLinkGroup)
                {
                    if (HeldByOthers(node.Holders, image)) _crossImageJoins++;
                    node.Holders = node.Holders.Append(new Holder(image, nid)).ToArray();
                    serial = node.Serial;
                }
            }
            _decisions[(image.Serial, nid)] = serial;
            return serial;
        }
    }

    /// <summary>The files behind a shared node, oldest first; empty when the node is gone (its images detached).</summary>
    public Holder[] HoldersOf(long serial) => _bySerial.TryGetValue(serial, out var node) ? node.Holders : Array.Empty<Holder>();

    /// <summary>True when a file of some image other than <paramref name="image"/> backs the shared node.</summary>
    public bool HasOtherHolder(long serial, AttachedImage image) => HeldByOthers(HoldersOf(serial), image);

    /// <summary>Removes every file of a detached image; nodes left without files are dropped.</summary>
    public void Remove(AttachedImage image)
    {
        lock (_gate)
        {
            foreach (var node in _byKey.Values.ToList())
            {
                if (!node.Holders.Any(h => h.Image == image)) continue;
                node.Holders = node.Holders.Where(h => h.Image != image).ToArray();
                if (node.Holders.Length == 0) Forget(node);
            }
            foreach (var decision in _decisions.Keys)
                if (decision.Image == image.Serial) _decisions.TryRemove(decision, out _);
        }
    }

    public SharingStatistics Snapshot()
    {
        lock (_gate)
        {
            return new SharingStatistics
            {
                SharedNodes = _byKey.Count,
                Holders = _byKey.Values.Sum(n => (long)n.Holders.Length),
                NodesAcrossImages = _byKey.Values.Count(n => n.Holders.Select(h => h.Image).Distinct().Count() > 1),
                CrossImageJoins = _crossImageJoins,
            };
        }
    }

    private void Forget(SharedNode node)
    {
        _byKey.Remove(node.Key);
        _bySerial.TryRemove(node.Serial, out _);
    }

    private static bool HeldByOthers(Holder[] holders, AttachedImage image)
    {
        foreach (var h in holders)
            if (h.Image != image) return true;
        return false;
    }

    /// <summary>The sharing key of a file, or null when it has no fingerprint.</summary>
    private static ContentKey? KeyOf(AttachedImage image, ulong nid, in NodeAttributes a)
    {
        var inode = image.Image.GetInode(nid);
        var fingerprint = image.Image.GetContentFingerprint(inode);
        if (fingerprint is null || fingerprint.Length == 0) return null;
        return new ContentKey(image.Domain, Convert.ToHexString(fingerprint), a.Mode, a.UserId, a.GroupId, a.Size,
            a.ModificationTimeSeconds, a.ModificationTimeNanoseconds, a.LinkCount, XattrDigest(image, inode));
    }

    /// <summary>A digest of every visible xattr, names and values, in name order ("" when there are none).</summary>
    private static string XattrDigest(AttachedImage image, Core.ErofsInode inode)
    {
        var xattrs = image.Image.ListXattrs(inode);
        if (xattrs.Count == 0) return "";
        var hash = new XxHash128();
        Span<byte> length = stackalloc byte[4];
        foreach (var x in xattrs.OrderBy(x => x.Name, ByteOrder.Instance))
        {
            System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(length, x.Name.Length);
            hash.Append(length);
            hash.Append(x.Name);
            System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(length, x.Value.Length);
            hash.Append(length);
            hash.Append(x.Value);
        }
        return Convert.ToHexString(hash.GetCurrentHash());
    }

    private sealed class ByteOrder : IComparer<byte[]>
    {
        public static readonly ByteOrder Instance = new();
        public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
    }
}
