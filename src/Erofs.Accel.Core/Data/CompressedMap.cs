using Erofs.Accel.Core.Metadata;
using Erofs.Accel.Decompression;

namespace Erofs.Accel.Core.Data;

/// <summary>
/// Maps file offsets of a compressed inode (COMPRESSED_FULL, COMPRESSED_COMPACT, encoded extents) to extents: the
/// map header, lcluster indexes with lookback and lookahead, big pclusters, inline tails and fragments. Made with the
/// inode; it reads the map header and index only when first asked (a corrupt index fails the read, not the stat).
/// The on-disk records are the Format structs <see cref="MapHeader"/>, <see cref="LclusterIndex"/>,
/// <see cref="CompactIndexPack"/> and <see cref="ExtentRecord"/>.
/// </summary>
internal sealed class CompressedMap
{
    private readonly ImageContext _context;
    private readonly ulong _nid;
    private readonly bool _inMetabox;
    private readonly DataLayout _layout;
    private readonly long _payloadPosition;
    private readonly long _size;
    private volatile Index? _index;

    public CompressedMap(ImageContext context, ulong nid, bool inMetabox, DataLayout layout, long payloadPosition, long size)
    {
        _context = context;
        _nid = nid;
        _inMetabox = inMetabox;
        _layout = layout;
        _payloadPosition = payloadPosition;
        _size = size;
    }

    /// <summary>Maps file offset <paramref name="x"/> (0 &lt;= x &lt; size) to the whole extent containing it.</summary>
    public Extent Map(long x) => (_index ??= new Index(this)).Map(x);

    /// <summary>The map header and the walks over the index; built once per inode on first use.</summary>
    private sealed class Index
    {
        private readonly CompressedMap _owner;
        private readonly MetadataReader _meta;
        private readonly int _blockBits;
        private readonly long _size;
        private readonly int _availableAlgorithms;
        private readonly long _headerPosition;
        private readonly MapHeader _header;
        private readonly bool _wholeFragment;
        private readonly MapAdvise _advise;
        private readonly int _lclusterBits;
        private readonly int _idataSize;
        private readonly long _fragmentOffset;
        private readonly long _tailHeadLcn = -1;
        private readonly long _tailInlinePosition;
        private readonly bool _useExtents;
        private readonly CompactIndexLayout _compact;
        private MetadataBlock? _lastIndexBlock;
        private volatile PaCursor? _paCursor;

        private sealed record PaCursor(long Lcn, long Position, long Pa);

        public Index(CompressedMap owner)
        {
            _owner = owner;
            var context = owner._context;
            var sb = context.Superblock;
            _meta = context.Metadata;
            _blockBits = sb.BlockSizeBits;
            _size = owner._size;
            _availableAlgorithms = sb.AvailableAlgorithms;
            _headerPosition = MapHeader.PositionAfter(owner._payloadPosition);
            Span<byte> raw = stackalloc byte[MapHeader.Size];
            _meta.Read(owner._inMetabox, _headerPosition, raw, owner._nid);
            _header = MapHeader.Parse(raw);
            if (_header.IsWholeFileFragment)
            {
                _wholeFragment = true;
                _advise = MapAdvise.Fragment;
                _fragmentOffset = (long)_header.WholeFileFragmentOffset;
                _tailHeadLcn = 0;
                return;
            }
            _advise = _header.Advise;
            _lclusterBits = _blockBits + _header.LclusterBitsOverBlock;
            if (_lclusterBits > 30)
                throw Corrupt($"lcluster size 2^{_lclusterBits} too large");
            if (owner._layout == DataLayout.CompressedFull && _header.Has(MapAdvise.Extents))
            {
                if (!sb.Is48Bit)
                    throw new ErofsCorruptImageException("encoded extents without the 48bit feature", _headerPosition, owner._nid);
                _useExtents = true;
                return;
            }
            if (Has(MapAdvise.Fragment))
                _fragmentOffset = _header.FragmentOffset;
            else if (Has(MapAdvise.InlinePcluster))
                _idataSize = _header.InlineDataSize;
            if (owner._layout == DataLayout.CompressedCompact)
            {
                if (Has(MapAdvise.BigPcluster1) != Has(MapAdvise.BigPcluster2))
                    throw Corrupt("big pcluster flags of compact indexes are inconsistent");
                if (_lclusterBits > 14)
                    throw new ErofsUnsupportedFeatureException($"compact indexes with lcluster size 2^{_lclusterBits}", _headerPosition, owner._nid);
                long entries = (_size + (1L << _blockBits) - 1) >> _blockBits;
                _compact = new CompactIndexLayout(MapHeader.CompactIndexStart(_headerPosition), entries, Has(MapAdvise.Compacted2B));
            }
            if ((_idataSize > 0 || Has(MapAdvise.Fragment)) && _size > 0)
            {
                // find the tail extent's head lcluster (and where an inline pcluster sits)
                var m = Load((_size - 1) >> _lclusterBits, lookahead: false);
                _tailInlinePosition = m.NextPackPosition;
                var head = FindHead(_size - 1, m, out _);
                _tailHeadLcn = head.Lcn;
                if (Has(MapAdvise.Fragment) && owner._layout == DataLayout.CompressedFull)
                    _fragmentOffset |= head.Pblk << 32;
            }
        }

        private bool Has(MapAdvise flag) => (_advise & flag) == flag;

        private ulong Nid => _owner._nid;

        private bool InMetabox => _owner._inMetabox;

        private ErofsCorruptImageException Corrupt(string message) => new(message, null, Nid);

        public Extent Map(long x)
        {
            if (x < 0 || x >= _size) throw new ArgumentOutOfRangeException(nameof(x));
            if (_wholeFragment || (Has(MapAdvise.Fragment) && _tailHeadLcn == 0))
                return new Extent { LogicalStart = 0, LogicalLength = _size, Kind = ExtentKind.Fragment, FragmentOffset = _fragmentOffset };
            var e = _useExtents ? MapEncoded(x) : MapIndexed(x);
            if (e.Kind == ExtentKind.Compressed)
            {
                if (!CompressionAlgorithms.IsDefined((int)e.Algorithm))
                    throw new ErofsUnsupportedFeatureException($"unknown compression algorithm {(int)e.Algorithm} at offset {x}", null, Nid);
                if ((_availableAlgorithms & (1 << (int)e.Algorithm)) == 0)
                    throw Corrupt($"extent at {e.LogicalStart} uses {CompressionAlgorithms.Name(e.Algorithm)}, which the superblock does not list");
            }
            if (e.Kind is ExtentKind.Compressed or ExtentKind.Shifted or ExtentKind.Interlaced)
            {
                if (e.PhysicalLength <= 0 || e.PhysicalLength > ErofsConstants.MaxPclusterSize)
                    throw Corrupt($"pcluster of {e.PhysicalLength} bytes at offset {e.LogicalStart} is out of range");
                if (e.LogicalLength > ErofsConstants.MaxExtentDecodedSize)
                    throw new ErofsUnsupportedFeatureException($"extent of {e.LogicalLength} decoded bytes exceeds 12 MiB", null, Nid);
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
            public LclusterType Type;
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
            var m = _owner._layout == DataLayout.CompressedCompact ? LoadCompact(lcn, lookahead) : LoadFull(lcn);
            if (m.Type != LclusterType.NonHead && m.ClusterOfs >= (1 << _lclusterBits))
                throw Corrupt($"lcluster {lcn}: cluster offset {m.ClusterOfs} beyond the lcluster");
            return m;
        }

        private Lcluster LoadFull(long lcn)
        {
            long pos = LclusterIndex.Position(_headerPosition, lcn);
            Span<byte> raw = stackalloc byte[LclusterIndex.Size];
            _meta.Read(ref _lastIndexBlock, InMetabox, pos, raw, Nid);
            var index = LclusterIndex.Parse(raw);
            var m = new Lcluster { Lcn = lcn, NextPackPosition = pos + LclusterIndex.Size, Type = index.Type };
            if (m.Type == LclusterType.NonHead)
            {
                m.ClusterOfs = 1 << _lclusterBits;
                m.Delta0 = index.Delta0;
                if ((m.Delta0 & LclusterIndex.CompressedBlockCountFlag) != 0)
                {
                    if (!Has(MapAdvise.BigPcluster1) && !Has(MapAdvise.BigPcluster2))
                        throw Corrupt($"lcluster {lcn}: compressed block count without big pclusters");
                    m.CompressedBlocks = m.Delta0 & ~LclusterIndex.CompressedBlockCountFlag;
                    m.Delta0 = 1;
                }
                m.Delta1 = index.Delta1;
            }
            else
            {
                m.PartialRef = index.IsPartialReference;
                m.ClusterOfs = index.ClusterOffset;
                m.Pblk = index.BlockAddress;
            }
            return m;
        }

        private Lcluster LoadCompact(long lcn, bool lookahead)
        {
            if (lcn >= _compact.Entries) throw Corrupt($"lcluster {lcn} beyond the compact index ({_compact.Entries} entries)");
            _compact.Locate(lcn, out long packStart, out int packBytes, out int i);
            if (packBytes == CompactIndexPack.BytesPer2BPack && _lclusterBits > 12)
                throw new ErofsUnsupportedFeatureException($"2-byte compact indexes with lcluster size 2^{_lclusterBits}", packStart, Nid);
            Span<byte> raw = stackalloc byte[CompactIndexPack.BytesPer2BPack];
            raw = raw[..packBytes];
            _meta.Read(ref _lastIndexBlock, InMetabox, packStart, raw, Nid);
            var pack = new CompactIndexPack(raw, _lclusterBits);
            int count = pack.Count;
            var m = new Lcluster { Lcn = lcn, NextPackPosition = packStart + packBytes };
            var entry = pack[i];
            m.Type = entry.Type;
            bool big = Has(MapAdvise.BigPcluster1);
            int cblkcnt = LclusterIndex.CompressedBlockCountFlag;
            if (entry.Type == LclusterType.NonHead)
            {
                m.ClusterOfs = 1 << _lclusterBits;
                if (lookahead)
                {
                    int d1 = 0, j = i;
                    var last = entry;
                    do
                    {
                        last = pack[j];
                        if (last.Type != LclusterType.NonHead) break;
                        d1++;
                    } while (++j < count);
                    if (j >= count && (last.Low & cblkcnt) == 0) d1 += last.Low - 1;
                    m.Delta1 = d1;
                }
                if ((entry.Low & cblkcnt) != 0)
                {
                    if (!big) throw Corrupt($"lcluster {lcn}: compressed block count without big pclusters");
                    m.CompressedBlocks = entry.Low & ~cblkcnt;
                    m.Delta0 = 1;
                    return m;
                }
                if (i + 1 != count)
                {
                    m.Delta0 = entry.Low;
                    return m;
                }
                var previous = pack[i - 1];
                int plo = previous.Type != LclusterType.NonHead ? 0 : (previous.Low & cblkcnt) != 0 ? 1 : previous.Low;
                m.Delta0 = plo + 1;
                return m;
            }
            m.ClusterOfs = entry.Low;
            long nblk;
            if (!big)
            {
                nblk = 1;
                int j = i;
                while (j > 0)
                {
                    --j;
                    var e = pack[j];
                    if (e.Type == LclusterType.NonHead) j -= e.Low;
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
                    var e = pack[j];
                    if (e.Type == LclusterType.NonHead)
                    {
                        if ((e.Low & cblkcnt) != 0)
                        {
                            --j;
                            nblk += e.Low & ~cblkcnt;
                            continue;
                        }
                        if (e.Low <= 1) throw Corrupt($"lcluster {lcn}: bogus delta in a big-pcluster pack");
                        j -= e.Low - 2;
                        continue;
                    }
                    ++nblk;
                }
            }
            m.Pblk = pack.BaseBlockAddress + nblk;
            return m;
        }

        /// <summary>Walks back from the lcluster of offset x to the head of its extent.</summary>
        private Lcluster FindHead(long x, Lcluster m, out long extentEndIfKnown)
        {
            extentEndIfKnown = -1;
            int endoff = (int)(x & ((1L << _lclusterBits) - 1));
            long distance;
            if (m.Type != LclusterType.NonHead)
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
                if (m.Type != LclusterType.NonHead) return m;
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
                    InMetabox = InMetabox,
                    PhysicalAddress = _tailInlinePosition,
                    PhysicalLength = _idataSize,
                };
            }
            else if (isTail && Has(MapAdvise.Fragment))
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
                LclusterType.Plain => e with { Kind = Has(MapAdvise.Interlaced) && !e.InMetadata ? ExtentKind.Interlaced : ExtentKind.Shifted },
                LclusterType.Head1 => e with { Kind = ExtentKind.Compressed, Algorithm = _header.Head1Algorithm },
                _ => e with { Kind = ExtentKind.Compressed, Algorithm = _header.Head2Algorithm },
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
                if (m.Type == LclusterType.NonHead)
                {
                    l += m.Delta1 <= 0 ? 1 : m.Delta1;
                    continue;
                }
                return (l << _lclusterBits) + m.ClusterOfs;
            }
        }

        private int CompressedBlocks(Lcluster head)
        {
            bool big = head.Type == LclusterType.Head1 ? Has(MapAdvise.BigPcluster1) : Has(MapAdvise.BigPcluster2);
            if (!big || ((head.Lcn + 1) << _lclusterBits) >= _size)
                return 1;
            var next = Load(head.Lcn + 1, lookahead: false);
            if (next.Type != LclusterType.NonHead) return 1;
            if (next.Delta0 != 1 || next.CompressedBlocks == 0)
                throw Corrupt($"missing compressed block count after head lcluster {head.Lcn}");
            return next.CompressedBlocks;
        }

        // ---- 48-bit encoded extents ----------------------------------------------------------------------------

        private Extent MapEncoded(long x)
        {
            int recsz = _header.ExtentRecordSize;
            long pos = MapHeader.ExtentRecordsStart(_headerPosition, recsz);
            long lcsize = 1L << _lclusterBits;
            long lend = _size;
            long lstart;
            ExtentRecord record = default;
            long pa = 0;
            bool last;
            Span<byte> raw = stackalloc byte[ExtentRecord.Size];
            if (recsz <= 8)
            {
                long target = x >> _lclusterBits;
                if (recsz == 4)
                {
                    // running sum of lengths from a __le64 start; keep a cursor so sequential reads stay linear
                    var cur = _paCursor;
                    long lcn, rpos, runPa;
                    if (cur is not null && cur.Lcn <= target) { lcn = cur.Lcn; rpos = cur.Position; runPa = cur.Pa; }
                    else
                    {
                        _meta.Read(ref _lastIndexBlock, InMetabox, pos, raw[..8], Nid);
                        lcn = 0;
                        rpos = pos + 8;
                        runPa = (long)System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(raw);
                    }
                    while (true)
                    {
                        _meta.Read(ref _lastIndexBlock, InMetabox, rpos, raw[..4], Nid);
                        record = ExtentRecord.Parse(raw[..4]);
                        if (lcn == target) { pa = runPa; break; }
                        runPa += record.Length;
                        rpos += 4;
                        lcn++;
                    }
                    _paCursor = new PaCursor(lcn, rpos, runPa);
                }
                else
                {
                    _meta.Read(ref _lastIndexBlock, InMetabox, pos + target * 8, raw[..8], Nid);
                    record = ExtentRecord.Parse(raw[..8]);
                    pa = (long)record.PhysicalStart;
                }
                lstart = target << _lclusterBits;
                long next = lstart + lcsize;
                last = next >= ((_size + lcsize - 1) & ~(lcsize - 1));
                lend = Math.Min(next, _size);
            }
            else
            {
                ulong extentCount = _header.ExtentCount;
                lstart = lend;
                ulong l = 0, r = extentCount;
                if (extentCount == 0) throw Corrupt("encoded extent list is empty");
                bool found = false;
                while (l < r)
                {
                    ulong mid = l + (r - l) / 2;
                    _meta.Read(ref _lastIndexBlock, InMetabox, checked(pos + (long)mid * recsz), raw[..recsz], Nid);
                    var candidate = ExtentRecord.Parse(raw[..recsz]);
                    long la = (long)candidate.LogicalStart;
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
                        record = candidate;
                        pa = (long)candidate.PhysicalStart;
                        found = true;
                    }
                }
                if (!found) throw Corrupt($"no encoded extent covers offset {x}");
                last = l >= extentCount;
            }
            if (lstart >= lend) throw Corrupt($"empty encoded extent at {lstart}");
            var e = new Extent { LogicalStart = lstart, LogicalLength = lend - lstart };
            if (last && Has(MapAdvise.Fragment))
            {
                long frag = record.RawEncodedLength;
                if (recsz > 4) frag |= pa << 32;
                return e with { Kind = ExtentKind.Fragment, FragmentOffset = frag };
            }
            int plen = record.Length;
            if (plen == 0) return e with { Kind = ExtentKind.Hole };
            e = e with { PhysicalAddress = pa, PhysicalLength = plen, PartialReference = record.IsPartialReference };
            int bmask = (1 << _blockBits) - 1;
            if (record.IsCompressed) return e with { Kind = ExtentKind.Compressed, Algorithm = record.Algorithm };
            if (Has(MapAdvise.Interlaced) && ((pa | (long)plen) & bmask) == 0) return e with { Kind = ExtentKind.Interlaced };
            return e with { Kind = ExtentKind.Shifted };
        }
    }
}
