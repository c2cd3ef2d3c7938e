using System.Buffers.Binary;

namespace Erofs.Accel.Core.Metadata;

/// <summary>
/// Extended attributes: the inline area after the inode (header, shared ids, entries), the shared area, short and
/// long name prefixes, and the name bloom filter. ACLs are ordinary entries (system.posix_acl_*), returned as stored.
/// </summary>
internal sealed class XattrReader
{
    private readonly ErofsImage _image;
    private readonly Lazy<XattrLongPrefix[]> _longPrefixes;

    public XattrReader(ErofsImage image)
    {
        _image = image;
        _longPrefixes = new Lazy<XattrLongPrefix[]>(LoadLongPrefixes, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    private Superblock Sb => _image.Superblock;

    private bool SharedInMetabox => Sb.Has(CompatFeatures.SharedXattrsInMetabox);

    /// <summary>Lists the xattrs visible to listxattr, inline entries first, then shared ones.</summary>
    public List<Xattr> List(ErofsInode inode)
    {
        var result = new List<Xattr>();
        Walk(inode, (name, value) => { result.Add(new Xattr(name, value)); return false; }, wantValues: true);
        return result;
    }

    /// <summary>Value of xattr <paramref name="name"/>, or null when the inode has none by that name.</summary>
    public byte[]? Get(ErofsInode inode, ReadOnlySpan<byte> name)
    {
        if (inode.Core.XattrInlineSize == 0) return null;
        if (!XattrFormat.TrySplitName(name, out int index, out var rest)) return null;
        if (Sb.Has(CompatFeatures.XattrFilter) && Sb.XattrFilterReserved == 0)
        {
            Span<byte> hdr = stackalloc byte[4];
            _image.Meta.Read(inode.InMetabox, inode.Position + inode.Core.CoreSize, hdr, inode.Nid);
            uint filter = BinaryPrimitives.ReadUInt32LittleEndian(hdr);
            if ((filter & (1u << XattrFormat.FilterBit(index, rest))) != 0) return null;
        }
        byte[]? found = null;
        var target = name.ToArray();
        Walk(inode, (n, v) =>
        {
            if (n.AsSpan().SequenceEqual(target)) { found = v; return true; }
            return false;
        }, wantValues: true);
        return found;
    }

    /// <summary>
    /// Value of the inode-sharing xattr (compat ISHARE_XATTRS: the entry whose name index is the superblock's
    /// <c>ishare_xattr_prefix_id | 0x80</c>; <c>mkfs.erofs --xattr-inode-digest</c> writes "sha256:" and the 32-byte
    /// digest of the contents there). Null when the image has no such prefix or the inode no such entry. The entry is
    /// hidden from <see cref="List"/> and <see cref="Get"/>, as in the kernel.
    /// </summary>
    public byte[]? GetInodeShareValue(ErofsInode inode)
    {
        if (!Sb.Has(CompatFeatures.InodeShareXattrs) || inode.Core.XattrInlineSize == 0) return null;
        int wanted = Sb.InodeShareXattrPrefixId | XattrFormat.LongPrefixFlag;
        byte[]? found = null;
        WalkEntries(inode, (mbox, pos, h) =>
        {
            if (h.NameIndex != wanted) return false;
            found = new byte[h.ValueSize];
            _image.Meta.Read(mbox, pos + ErofsConstants.XattrEntryHeaderSize + h.NameLength, found, inode.Nid);
            return true;
        });
        return found;
    }

    /// <summary>
    /// Visits every visible entry (inline, then shared) with its full name; stops when <paramref name="visit"/>
    /// returns true.
    /// </summary>
    private void Walk(ErofsInode inode, Func<byte[], byte[], bool> visit, bool wantValues) =>
        WalkEntries(inode, (mbox, pos, h) =>
        {
            var (name, value) = ReadEntry(mbox, pos, h, inode.Nid);
            return name is not null && visit(name, value!);
        });

    /// <summary>
    /// Visits the header of every entry (inline, then shared), hidden ones included, with where it lies; stops when
    /// <paramref name="visit"/> returns true. Each entry is checked to fit its area before it is visited.
    /// </summary>
    private void WalkEntries(ErofsInode inode, Func<bool, long, XattrEntryHeader, bool> visit)
    {
        int isize = inode.Core.XattrInlineSize;
        if (isize == 0) return;
        bool mbox = inode.InMetabox;
        long start = inode.Position + inode.Core.CoreSize;
        Span<byte> hdr = stackalloc byte[ErofsConstants.XattrHeaderSize];
        _image.Meta.Read(mbox, start, hdr, inode.Nid);
        int sharedCount = hdr[4];
        int idsEnd = ErofsConstants.XattrHeaderSize + 4 * sharedCount;
        if (idsEnd > isize)
            throw new ErofsCorruptImageException($"xattr header lists {sharedCount} shared xattrs, more than its {isize}-byte area holds", start, inode.Nid);
        var ids = new uint[sharedCount];
        if (sharedCount > 0)
        {
            var raw = new byte[4 * sharedCount];
            _image.Meta.Read(mbox, start + ErofsConstants.XattrHeaderSize, raw, inode.Nid);
            for (int i = 0; i < sharedCount; i++) ids[i] = BinaryPrimitives.ReadUInt32LittleEndian(raw.AsSpan(4 * i));
        }
        // inline entries
        long pos = start + idsEnd;
        long end = start + isize;
        while (pos < end)
        {
            var h = ReadEntryHeader(mbox, pos, end - pos, inode.Nid);
            if (visit(mbox, pos, h)) return;
            pos += h.TotalSize;
        }
        // shared entries
        foreach (var id in ids)
        {
            long spos = ((long)Sb.XattrBlockAddress << Sb.BlockSizeBits) + 4L * id;
            if (visit(SharedInMetabox, spos, ReadEntryHeader(SharedInMetabox, spos, long.MaxValue, inode.Nid))) return;
        }
    }

    private XattrEntryHeader ReadEntryHeader(bool mbox, long pos, long remaining, ulong nid)
    {
        Span<byte> eh = stackalloc byte[ErofsConstants.XattrEntryHeaderSize];
        if (remaining < eh.Length) throw new ErofsCorruptImageException("xattr entry header runs past the inline area", pos, nid);
        _image.Meta.Read(mbox, pos, eh, nid);
        var h = XattrEntryHeader.Parse(eh);
        if (h.TotalSize > remaining) throw new ErofsCorruptImageException($"xattr entry of {h.TotalSize} bytes runs past the inline area", pos, nid);
        return h;
    }

    /// <summary>Reads the entry whose header is at pos; returns its full name (null when hidden or unknown) and value.</summary>
    private (byte[]? Name, byte[]? Value) ReadEntry(bool mbox, long pos, in XattrEntryHeader h, ulong nid)
    {
        var suffix = new byte[h.NameLength];
        _image.Meta.Read(mbox, pos + 4, suffix, nid);
        byte[]? fullName = FullName(h, suffix, pos, nid);
        if (fullName is null) return (null, null);
        var value = new byte[h.ValueSize];
        _image.Meta.Read(mbox, pos + 4 + h.NameLength, value, nid);
        return (fullName, value);
    }

    private byte[]? FullName(in XattrEntryHeader h, byte[] suffix, long pos, ulong nid)
    {
        int baseIndex = h.NameIndex;
        ReadOnlySpan<byte> infix = default;
        if (h.IsLongPrefix)
        {
            var prefixes = _longPrefixes.Value;
            if (h.LongPrefixIndex >= prefixes.Length) return null;
            var lp = prefixes[h.LongPrefixIndex];
            baseIndex = lp.BaseIndex;
            infix = lp.Infix;
        }
        if (!XattrFormat.IsKnownShortIndex(baseIndex)) return null;
        var prefix = XattrFormat.ShortPrefix(baseIndex);
        int total = prefix.Length + infix.Length + suffix.Length;
        var name = new byte[total];
        prefix.CopyTo(name);
        infix.CopyTo(name.AsSpan(prefix.Length));
        suffix.CopyTo(name.AsSpan(prefix.Length + infix.Length));
        return name;
    }

    private XattrLongPrefix[] LoadLongPrefixes()
    {
        int count = Sb.XattrPrefixCount;
        if (count == 0) return Array.Empty<XattrLongPrefix>();
        long pos = (long)Sb.XattrPrefixStart * 4;
        ErofsInode? holder = null;
        if (!Sb.Has(CompatFeatures.PlainXattrPrefixes))
            holder = _image.MetaboxInode ?? _image.PackedInode;
        var list = new XattrLongPrefix[count];
        Span<byte> lenBuf = stackalloc byte[2];
        Span<byte> payload = stackalloc byte[ErofsConstants.MaxNameLength + 2];
        for (int i = 0; i < count; i++)
        {
            pos = (pos + 3) & ~3L;
            ReadPrefixBytes(holder, pos, lenBuf);
            int len = BinaryPrimitives.ReadUInt16LittleEndian(lenBuf);
            if (len < 1 || len > ErofsConstants.MaxNameLength + 1)
                throw new ErofsCorruptImageException($"long xattr prefix {i} has bad length {len}", pos);
            ReadPrefixBytes(holder, pos + 2, payload[..len]);
            list[i] = XattrLongPrefix.Parse(payload[..len], pos);
            pos += 2 + len;
        }
        return list;
    }

    private void ReadPrefixBytes(ErofsInode? holder, long pos, Span<byte> dest)
    {
        if (holder is null)
        {
            _image.Meta.Read(false, pos, dest);
            return;
        }
        if (_image.Data.Read(holder, pos, dest) != dest.Length)
            throw new ErofsCorruptImageException("long xattr prefix table runs past the end of its inode", pos, holder.Nid);
    }
}
