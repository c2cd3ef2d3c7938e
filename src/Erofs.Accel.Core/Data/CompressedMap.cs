using System.Buffers.Binary;
using Erofs.Accel.Core.Metadata;

namespace Erofs.Accel.Core.Data;

/// <summary>
/// Maps file offsets of a compressed inode (COMPRESSED_FULL, COMPRESSED_COMPACT, encoded extents) to extents:
/// the map header, lcluster indexes with lookback and lookahead, big pclusters, inline tails and fragments.
/// </summary>
internal sealed class CompressedMap
{
    private const int TypePlain = 0, TypeHead1 = 1, TypeNonHead = 2, TypeHead2 = 3;
    private const ushort AdviseCompacted2B = 0x0001, AdviseExtents = 0x0001, AdviseBigPcluster1 = 0x0002,
        AdviseBigPcluster2 = 0x0004, AdviseInlinePcluster = 0x0008, AdviseInterlaced = 0x0010, AdviseFragment = 0x0020;
    private const int Cblkcnt = 0x800;
    private const uint ExtentPlenMask = 0x1FFFFF, ExtentPartialRef = 1u << 27;

    private readonly ErofsInode _inode;
    private readonly MetadataReader _meta;
    private LastBlock? _lastIndexBlock;
    private readonly int _blockBits;
    private readonly long _size;
    private readonly int _availableAlgorithms;

    private readonly bool _wholeFragment;
    private readonly ushort _advise;
    private readonly int _lclusterBits;
    private readonly int _alg1, _alg2;
    private readonly int _idataSize;
    private readonly long _fragmentOffset;
    private readonly long _tailHeadLcn = -1;
    private readonly long _tailInlinePosition;
    private readonly ulong _extentCount;
    private readonly bool _useExtents;
    private volatile PaCursor? _paCursor;

    private sealed record PaCursor(long Lcn, long Position, long Pa);

    public bool IsWholeFileFragment => _wholeFragment;

    public CompressedMap(ErofsInode inode, MetadataReader meta, Superblock sb)
    {
        _inode = inode;
        _meta = meta;
        _blockBits = sb.BlockSizeBits;
        _size = (long)inode.Size;
        _availableAlgorithms = sb.AvailableAlgorithms;
        long hpos = (inode.PayloadPosition + 7) & ~7L;
        Span<byte> h = stackalloc byte[8];
        _meta.Read(inode.InMetabox, hpos, h, inode.Nid);
        if ((h[7] & 0x80) != 0)
        {
            _wholeFragment = true;
            _advise = AdviseFragment;
            _fragmentOffset = (long)(BinaryPrimitives.ReadUInt64LittleEndian(h) & ~(1UL << 63));
            _tailHeadLcn = 0;
            return;
        }
        _advise = BinaryPrimitives.ReadUInt16LittleEndian(h[4..]);
        _lclusterBits = _blockBits + (h[7] & 15);
        if (_lclusterBits > 30)
            throw Corrupt($"lcluster size 2^{_lclusterBits} too large");
        if (inode.Layout == DataLayout.CompressedFull && (_advise & AdviseExtents) != 0)
        {
            if (!sb.Is48Bit)
                throw new ErofsCorruptImageException("encoded extents without the 48bit feature", hpos, inode.Nid);
            _useExtents = true;
            _extentCount = BinaryPrimitives.ReadUInt32LittleEndian(h) | (ulong)BinaryPrimitives.ReadUInt16LittleEndian(h[6..]) << 32;
            return;
        }
        _alg1 = h[6] & 15;
        _alg2 = h[6] >> 4;
        if ((_advise & AdviseFragment) != 0)
            _fragmentOffset = BinaryPrimitives.ReadUInt32LittleEndian(h);
        else if ((_advise & AdviseInlinePcluster) != 0)
            _idataSize = BinaryPrimitives.ReadUInt16LittleEndian(h[2..]);
        if (inode.Layout == DataLayout.CompressedCompact &&
            ((_advise & AdviseBigPcluster1) != 0) != ((_advise & AdviseBigPcluster2) != 0))
            throw Corrupt("big pcluster flags of compact indexes are inconsistent");
        if (inode.Layout == DataLayout.CompressedCompact && _lclusterBits > 14)
            throw new ErofsUnsupportedFeatureException($"compact indexes with lcluster size 2^{_lclusterBits}", hpos, inode.Nid);
        if ((_idataSize > 0 || (_advise & AdviseFragment) != 0) && _size > 0)
        {
            // find the tail extent's head lcluster (and where an inline pcluster sits)
            var m = Load(( _size - 1) >> _lclusterBits, lookahead: false);
            _tailInlinePosition = m.NextPackPosition;
            var head = FindHead(_size - 1, m, out _);
            _tailHeadLcn = head.Lcn;
            if ((_advise & AdviseFragment) != 0 && inode.Layout == DataLayout.CompressedFull)
                _fragmentOffset |= (long)head.Pblk << 32;
        }
    }

    private ErofsCorruptImageException Corrupt(string message) => new(message, null, _inode.Nid);

    private bool Fragment => (_advise & AdviseFragment) != 0;

    /// <summary>Maps file offset <paramref name="x"/> (0 &lt;= x &lt; size) to the whole extent containing it.</summary>
    public Extent Map(long x)
    {
        if (x < 0 || x >= _size) throw new ArgumentOutOfRangeException(nameof(x));
        if (_wholeFragment || (Fragment && _tailHeadLcn == 0))
            return new Extent { LogicalStart = 0, LogicalLength = _size, Kind = ExtentKind.Fragment, FragmentOffset = _fragmentOffset };
        var e = _useExtents ? MapEncoded(x) : MapIndexed(x);
        if (e.Kind == ExtentKind.Compressed)
        {
            if (e.Algorithm >= AlgorithmIds.Count)
                throw new ErofsUnsupportedFeatureException($"unknown compression algorithm {e.Algorithm} at offset {x}", null, _inode.Nid);
            if ((_availableAlgorithms & (1 << e.Algorithm)) == 0)
                throw Corrupt($"extent at {e.LogicalStart} uses {AlgorithmIds.Name(e.Algorithm)}, which the superblock does not list");
        }
        if (e.Kind is ExtentKind.Compressed or ExtentKind.Shifted or ExtentKind.Interlaced)
        {
            if (e.PhysicalLength <= 0 || e.PhysicalLength > ErofsConstants.MaxPclusterSize)
                throw Corrupt($"pcluster of {e.PhysicalLength} bytes at offset {e.LogicalStart} is out of range");
            if (e.LogicalLength > ErofsConstants.MaxExtentDecodedSize)
                throw new ErofsUnsupportedFeatureException($"extent of {e.LogicalLength} decoded bytes exceeds 12 MiB", null, _inode.Nid);
        }
        if (e.Kind is ExtentKind.Shifted && e.LogicalLength > e.PhysicalLength)
            throw Corrupt($"uncompressed extent at {e.LogicalStart} is longer ({e.LogicalLength}) than its pcluster ({e.PhysicalLength})");
        if (e.Kind is ExtentKind.Interlaced && (e.PhysicalLength > (1 << _blockBits) || e.LogicalLength > e.PhysicalLength))
            throw Corrupt($"interlaced extent at {e.LogicalStart} does not fit one block");
        if (e.LogicalLength <= 0 || e.LogicalStart > x || e.LogicalEnd <= x)
            throw Corrupt($"extent [{e.LogicalStart}, {e.LogicalEnd}) does not contain offset {x}");
        return e;
    }

    // ---- lcluster indexes (FULL and COMPACT) -------------------------------------------------------------

    private struct Lcluster
    {
        public long Lcn;
        public int Type;
        public int ClusterOfs;
        public int Delta0, Delta1;
        public long Pblk;
        public int CompressedBlocks; // from CBLKCNT, 0 when absent
        public bool PartialRef;
        public long NextPackPosition;
    }

    private long TotalLclusters => (_size + (1L << _lclusterBits) - 1) >> _lclusterBits;

    private Lcluster Load(long lcn, bool lookahead)
    {
        if (lcn < 0 || lcn >= TotalLclusters) throw Corrupt($"lcluster {lcn} out of range");
        var m = _inode.Layout == DataLayout.CompressedCompact ? LoadCompact(lcn, lookahead) : LoadFull(lcn);
        if (m.Type != TypeNonHead && m.ClusterOfs >= (1 << _lclusterBits))
            throw Corrupt($"lcluster {lcn}: cluster offset {m.ClusterOfs} beyond the lcluster");
        return m;
    }

    private Lcluster LoadFull(long lcn)
    {
        long start = ((_inode.PayloadPosition + 7) & ~7L) + 16;
        long pos = start + lcn * 8;
        Span<byte> di = stackalloc byte[8];
        _meta.Read(ref _lastIndexBlock, _inode.InMetabox, pos, di, _inode.Nid);
        var m = new Lcluster { Lcn = lcn, NextPackPosition = pos + 8 };
        ushort advise = BinaryPrimitives.ReadUInt16LittleEndian(di);
        m.Type = advise & 3;
        if (m.Type == TypeNonHead)
        {
            m.ClusterOfs = 1 << _lclusterBits;
            m.Delta0 = BinaryPrimitives.ReadUInt16LittleEndian(di[4..]);
            if ((m.Delta0 & Cblkcnt) != 0)
            {
                if ((_advise & (AdviseBigPcluster1 | AdviseBigPcluster2)) == 0)
                    throw Corrupt($"lcluster {lcn}: compressed block count without big pclusters");
                m.CompressedBlocks = m.Delta0 & ~Cblkcnt;
                m.Delta0 = 1;
            }
            m.Delta1 = BinaryPrimitives.ReadUInt16LittleEndian(di[6..]);
        }
        else
        {
            m.PartialRef = (advise & 0x8000) != 0;
            m.ClusterOfs = BinaryPrimitives.ReadUInt16LittleEndian(di[2..]);
            m.Pblk = BinaryPrimitives.ReadUInt32LittleEndian(di[4..]);
        }
        return m;
    }

    private static int DecodeBits(ReadOnlySpan<byte> pack, int lobits, int bitpos, out int type)
    {
        // reads a little-endian u32 at bitpos/8; the pack is padded so this never reads outside it
        int byteIndex = bitpos >> 3;
        uint v = 0;
        for (int k = 0; k < 4 && byteIndex + k < pack.Length; k++) v |= (uint)pack[byteIndex + k] << (8 * k);
        v >>= bitpos & 7;
        type = (int)((v >> lobits) & 3);
        return (int)(v & ((1u << lobits) - 1));
    }

    private Lcluster LoadCompact(long lcn, bool lookahead)
    {
        long ebase = ((_inode.PayloadPosition + 7) & ~7L) + 8;
        long totalIdx = (_size + (1L << _blockBits) - 1) >> _blockBits;
        if (lcn >= totalIdx) throw Corrupt($"lcluster {lcn} beyond the compact index ({totalIdx} entries)");
        long initial4b = ((32 - ebase % 32) / 4) & 7;
        long compacted2b = 0;
        if ((_advise & AdviseCompacted2B) != 0 && initial4b < totalIdx)
            compacted2b = (totalIdx - initial4b) / 16 * 16;
        long pos = ebase;
        int amortizedShift = 2;
        long rel = lcn;
        if (rel >= initial4b)
        {
            pos += initial4b * 4;
            rel -= initial4b;
            if (rel < compacted2b) amortizedShift = 1;
            else
            {
                pos += compacted2b * 2;
                rel -= compacted2b;
            }
        }
        pos += rel << amortizedShift;
        int vcnt;
        if (amortizedShift == 2) vcnt = 2;
        else if (_lclusterBits <= 12) vcnt = 16;
        else throw new ErofsUnsupportedFeatureException($"2-byte compact indexes with lcluster size 2^{_lclusterBits}", pos, _inode.Nid);
        int packBytes = vcnt << amortizedShift;
        long packStart = pos & ~(long)(packBytes - 1);
        Span<byte> pack = stackalloc byte[32];
        pack = pack[..packBytes];
        _meta.Read(ref _lastIndexBlock, _inode.InMetabox, packStart, pack, _inode.Nid);
        int lobits = Math.Max(_lclusterBits, 12);
        int encodeBits = (packBytes - 4) * 8 / vcnt;
        int i = (int)((pos - packStart) >> amortizedShift);
        var m = new Lcluster { Lcn = lcn, NextPackPosition = packStart + packBytes };
        int lo = DecodeBits(pack, lobits, encodeBits * i, out int type);
        m.Type = type;
        bool big = (_advise & AdviseBigPcluster1) != 0;
        if (type == TypeNonHead)
        {
            m.ClusterOfs = 1 << _lclusterBits;
            if (lookahead)
            {
                int d1 = 0, j = i, loj = 0, tj;
                do
                {
                    loj = DecodeBits(pack, lobits, encodeBits * j, out tj);
                    if (tj != TypeNonHead) break;
                    d1++;
                } while (++j < vcnt);
                if (j >= vcnt && (loj & Cblkcnt) == 0) d1 += loj - 1;
                m.Delta1 = d1;
            }
            if ((lo & Cblkcnt) != 0)
            {
                if (!big) throw Corrupt($"lcluster {lcn}: compressed block count without big pclusters");
                m.CompressedBlocks = lo & ~Cblkcnt;
                m.Delta0 = 1;
                return m;
            }
            if (i + 1 != vcnt)
            {
                m.Delta0 = lo;
                return m;
            }
            int plo = DecodeBits(pack, lobits, encodeBits * (i - 1), out int ptype);
            if (ptype != TypeNonHead) plo = 0;
            else if ((plo & Cblkcnt) != 0) plo = 1;
            m.Delta0 = plo + 1;
            return m;
        }
        m.ClusterOfs = lo;
        long nblk;
        if (!big)
        {
            nblk = 1;
            int j = i;
            while (j > 0)
            {
                --j;
                int l = DecodeBits(pack, lobits, encodeBits * j, out int t);
                if (t == TypeNonHead) j -= l;
                if (j >= 0) ++nblk;
            }
        }
        else
        {
            nblk = 0;
            int j = i;
            while (j > 0)
            {
                --j;
                int l = DecodeBits(pack, lobits, encodeBits * j, out int t);
                if (t == TypeNonHead)
                {
                    if ((l & Cblkcnt) != 0)
                    {
                        --j;
                        nblk += l & ~Cblkcnt;
                        continue;
                    }
                    if (l <= 1) throw Corrupt($"lcluster {lcn}: bogus delta in a big-pcluster pack");
                    j -= l - 2;
                    continue;
                }
                ++nblk;
            }
        }
        m.Pblk = BinaryPrimitives.ReadUInt32LittleEndian(pack[(packBytes - 4)..]) + nblk;
        return m;
    }

    /// <summary>Walks back from the lcluster of offset x to the head of its extent.</summary>
    private Lcluster FindHead(long x, Lcluster m, out long extentEndIfKnown)
    {
        extentEndIfKnown = -1;
        int endoff = (int)(x & ((1L << _lclusterBits) - 1));
        long distance;
        if (m.Type != TypeNonHead)
        {
            if (endoff >= m.ClusterOfs) return m;
            if (m.Lcn == 0) throw Corrupt("offset before the first extent's start");
            extentEndIfKnown = (m.Lcn << _lclusterBits) | (long)m.ClusterOfs;
            distance = 1;
        }
        else distance = m.Delta0;
        while (true)
        {
            if (distance <= 0 || distance > m.Lcn) throw Corrupt($"bogus lookback distance {distance} at lcluster {m.Lcn}");
            m = Load(m.Lcn - distance, lookahead: false);
            if (m.Type != TypeNonHead) return m;
            distance = m.Delta0;
        }
    }

    private Extent MapIndexed(long x)
    {
        var first = Load(x >> _lclusterBits, lookahead: false);
        var head = FindHead(x, first, out long end);
        long la = (head.Lcn << _lclusterBits) | (long)head.ClusterOfs;
        if (end < 0) end = ExtentEnd(head.Lcn);
        var e = new Extent { LogicalStart = la, LogicalLength = end - la, PartialReference = head.PartialRef };
        bool isTail = head.Lcn == _tailHeadLcn;
        if (isTail && _idataSize > 0)
        {
            e = e with
            {
                InMetadata = true,
                InMetabox = _inode.InMetabox,
                PhysicalAddress = _tailInlinePosition,
                PhysicalLength = _idataSize,
            };
        }
        else if (isTail && Fragment)
        {
            return e with { Kind = ExtentKind.Fragment, FragmentOffset = _fragmentOffset };
        }
        else
        {
            e = e with { PhysicalAddress = head.Pblk << _blockBits, PhysicalLength = CompressedBlocks(head) << _blockBits };
        }
        return head.Type switch
        {
            // an inline (tail-packed) uncompressed tail is stored unrotated by mkfs.erofs, whatever the advise says
            TypePlain => e with { Kind = (_advise & AdviseInterlaced) != 0 && !e.InMetadata ? ExtentKind.Interlaced : ExtentKind.Shifted },
            TypeHead1 => e with { Kind = ExtentKind.Compressed, Algorithm = _alg1 },
            _ => e with { Kind = ExtentKind.Compressed, Algorithm = _alg2 },
        };
    }

    /// <summary>Logical end of the extent whose head lcluster is <paramref name="headLcn"/> (walks forward).</summary>
    private long ExtentEnd(long headLcn)
    {
        long l = headLcn + 1;
        while (true)
        {
            if ((l << _lclusterBits) >= _size) return _size;
            var m = Load(l, lookahead: true);
            if (m.Type == TypeNonHead)
            {
                l += m.Delta1 <= 0 ? 1 : m.Delta1;
                continue;
            }
            return (l << _lclusterBits) + m.ClusterOfs;
        }
    }

    private int CompressedBlocks(Lcluster head)
    {
        bool big1 = (_advise & AdviseBigPcluster1) != 0, big2 = (_advise & AdviseBigPcluster2) != 0;
        if ((head.Type == TypeHead1 && !big1) || (head.Type != TypeHead1 && !big2) || ((head.Lcn + 1) << _lclusterBits) >= _size)
            return 1;
        var next = Load(head.Lcn + 1, lookahead: false);
        if (next.Type != TypeNonHead) return 1;
        if (next.Delta0 != 1 || next.CompressedBlocks == 0)
            throw Corrupt($"missing compressed block count after head lcluster {head.Lcn}");
        return next.CompressedBlocks;
    }

    // ---- 48-bit encoded extents ----------------------------------------------------------------------------

    private Extent MapEncoded(long x)
    {
        int recsz = 4 << ((_advise >> 1) & 3);
        long pos = (((_inode.PayloadPosition + 7) & ~7L) + 8 + recsz - 1) & ~(long)(recsz - 1);
        long lcsize = 1L << _lclusterBits;
        long lend = _size;
        long lstart;
        uint plenField = 0;
        long pa = 0;
        bool last;
        Span<byte> rec = stackalloc byte[32];
        if (recsz <= 8)
        {
            long target = x >> _lclusterBits;
            if (recsz == 4)
            {
                // running sum of lengths from a u64 start; keep a cursor so sequential reads stay linear
                var cur = _paCursor;
                long lcn, rpos, runPa;
                if (cur is not null && cur.Lcn <= target) { lcn = cur.Lcn; rpos = cur.Position; runPa = cur.Pa; }
                else
                {
                    _meta.Read(ref _lastIndexBlock, _inode.InMetabox, pos, rec[..8], _inode.Nid);
                    lcn = 0;
                    rpos = pos + 8;
                    runPa = (long)BinaryPrimitives.ReadUInt64LittleEndian(rec);
                }
                while (true)
                {
                    _meta.Read(ref _lastIndexBlock, _inode.InMetabox, rpos, rec[..4], _inode.Nid);
                    plenField = BinaryPrimitives.ReadUInt32LittleEndian(rec);
                    if (lcn == target) { pa = runPa; break; }
                    runPa += plenField & ExtentPlenMask;
                    rpos += 4;
                    lcn++;
                }
                _paCursor = new PaCursor(lcn, rpos, runPa);
            }
            else
            {
                _meta.Read(ref _lastIndexBlock, _inode.InMetabox, pos + target * 8, rec[..8], _inode.Nid);
                plenField = BinaryPrimitives.ReadUInt32LittleEndian(rec);
                pa = BinaryPrimitives.ReadUInt32LittleEndian(rec[4..]);
            }
            lstart = target << _lclusterBits;
            long next = lstart + lcsize;
            last = next >= ((_size + lcsize - 1) & ~(lcsize - 1));
            lend = Math.Min(next, _size);
        }
        else
        {
            lstart = lend;
            ulong l = 0, r = _extentCount;
            if (_extentCount == 0) throw Corrupt("encoded extent list is empty");
            bool found = false;
            while (l < r)
            {
                ulong mid = l + (r - l) / 2;
                _meta.Read(ref _lastIndexBlock, _inode.InMetabox, checked(pos + (long)mid * recsz), rec[..recsz], _inode.Nid);
                long la = BinaryPrimitives.ReadUInt32LittleEndian(rec[12..]);
                long mpa = (long)(BinaryPrimitives.ReadUInt32LittleEndian(rec[4..]) | (ulong)BinaryPrimitives.ReadUInt32LittleEndian(rec[8..]) << 32);
                if (recsz > 16) la |= (long)BinaryPrimitives.ReadUInt32LittleEndian(rec[16..]) << 32;
                if (la > x)
                {
                    r = mid;
                    if (la > lend) throw Corrupt($"encoded extent start {la} beyond the next one or the file end");
                    lend = la;
                }
                else
                {
                    l = mid + 1;
                    if (x == la) r = Math.Min(l + 1, r);
                    lstart = la;
                    plenField = BinaryPrimitives.ReadUInt32LittleEndian(rec);
                    pa = mpa;
                    found = true;
                }
            }
            if (!found) throw Corrupt($"no encoded extent covers offset {x}");
            last = l >= _extentCount;
        }
        if (lstart >= lend) throw Corrupt($"empty encoded extent at {lstart}");
        var e = new Extent { LogicalStart = lstart, LogicalLength = lend - lstart };
        if (last && Fragment)
        {
            long frag = plenField;
            if (recsz > 4) frag |= pa << 32;
            return e with { Kind = ExtentKind.Fragment, FragmentOffset = frag };
        }
        uint plen = plenField & ExtentPlenMask;
        if (plen == 0) return e with { Kind = ExtentKind.Hole };
        int fmt = (int)(plenField >> 28);
        e = e with { PhysicalAddress = pa, PhysicalLength = (int)plen, PartialReference = (plenField & ExtentPartialRef) != 0 };
        int bmask = (1 << _blockBits) - 1;
        if (fmt != 0) return e with { Kind = ExtentKind.Compressed, Algorithm = fmt - 1 };
        if ((_advise & AdviseInterlaced) != 0 && ((pa | plen) & bmask) == 0) return e with { Kind = ExtentKind.Interlaced };
        return e with { Kind = ExtentKind.Shifted };
    }
}
