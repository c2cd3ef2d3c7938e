using System.Buffers;
using System.Buffers.Binary;
using Erofs.Accel.Core.Storage;
using Erofs.Accel.Decompression;

namespace Erofs.Accel.Core.Data;

/// <summary>
/// Reads file content for every data layout: flat (plain, inline tail), chunk-based and compressed.
/// </summary>
internal sealed class FileDataReader
{
    private readonly ErofsImage _image;
    private readonly DeviceSet _devices;
    private readonly IPclusterDecompressor _decompressor;
    private readonly DecodedPclusterCache _cache;
    private readonly int _blockBits;

    public FileDataReader(ErofsImage image, DeviceSet devices, IPclusterDecompressor decompressor, DecodedPclusterCache cache)
    {
        _image = image;
        _devices = devices;
        _decompressor = decompressor;
        _cache = cache;
        _blockBits = image.Superblock.BlockSizeBits;
    }

    public IPclusterDecompressor Decompressor => _decompressor;

    /// <summary>Reads up to dest.Length bytes at offset; returns the count (short only at end of file).</summary>
    public int Read(ErofsInode inode, long offset, Span<byte> dest)
    {
        if (offset < 0) throw new ArgumentOutOfRangeException(nameof(offset));
        long size = (long)inode.Size;
        if (offset >= size || dest.IsEmpty) return 0;
        int n = (int)Math.Min(dest.Length, size - offset);
        dest = dest[..n];
        switch (inode.Layout)
        {
            case DataLayout.FlatPlain:
            case DataLayout.FlatInline:
                ReadFlat(inode, offset, dest);
                break;
            case DataLayout.ChunkBased:
                ReadChunked(inode, offset, dest);
                break;
            default:
                ReadCompressed(inode, offset, dest);
                break;
        }
        return n;
    }

    // ---- flat ------------------------------------------------------------------------------------------------

    private void ReadFlat(ErofsInode inode, long offset, Span<byte> dest)
    {
        long size = (long)inode.Size;
        long bs = 1L << _blockBits;
        bool inline = inode.Layout == DataLayout.FlatInline;
        long tailStart = inline ? ((size + bs - 1) >> _blockBits) - 1 << _blockBits : size;
        if (tailStart < 0) tailStart = 0;
        ulong startBlk = inode.Core.WideU;
        ulong nullMask = inode.Core.NbIsAddressHigh ? ErofsConstants.NullAddress48 : ErofsConstants.NullAddress32;
        bool hole = !inline && (startBlk & nullMask) == nullMask;
        if (offset < tailStart)
        {
            int n = (int)Math.Min(dest.Length, tailStart - offset);
            if (hole) dest[..n].Clear();
            else
            {
                if (startBlk > (ulong)(long.MaxValue >> _blockBits))
                    throw new ErofsCorruptImageException($"start block {startBlk} out of range", null, inode.Nid);
                _devices.ReadExact(0, ((long)startBlk << _blockBits) + offset, dest[..n], inode.Nid);
            }
            dest = dest[n..];
            offset += n;
        }
        if (!dest.IsEmpty)
            _image.Meta.Read(inode.InMetabox, inode.PayloadPosition + (offset - tailStart), dest, inode.Nid);
    }

    // ---- chunk-based ---------------------------------------------------------------------------------------

    private void ReadChunked(ErofsInode inode, long offset, Span<byte> dest)
    {
        var table = new ChunkTable(inode, _blockBits);
        Span<byte> raw = stackalloc byte[8];
        while (!dest.IsEmpty)
        {
            var (entry, chunkStart, mappedEnd) = ReadChunkEntry(inode, table, offset, raw);
            long within = offset - chunkStart;
            int n = (int)Math.Min(dest.Length, mappedEnd - offset);
            if (entry.IsHole) dest[..n].Clear();
            else
            {
                if (entry.StartBlock > (ulong)(long.MaxValue >> _blockBits)) throw new ErofsCorruptImageException("chunk address out of range", null, inode.Nid);
                _devices.ReadExact(entry.Device, ((long)entry.StartBlock << _blockBits) + within, dest[..n], inode.Nid);
            }
            dest = dest[n..];
            offset += n;
        }
    }

    /// <summary>Where an inode's chunk table lies and how large its chunks are.</summary>
    private readonly struct ChunkTable
    {
        public readonly int ChunkBits, Unit;
        public readonly bool Indexes, Is48Bit;
        public readonly long Position;

        public ChunkTable(ErofsInode inode, int blockBits)
        {
            int format = (int)(inode.Core.U & 0xFFFF);
            ChunkBits = blockBits + (format & ChunkFormat.BlockBitsMask);
            if (ChunkBits > 47) throw new ErofsCorruptImageException($"chunk size 2^{ChunkBits} out of range", null, inode.Nid);
            Indexes = (format & ChunkFormat.Indexes) != 0;
            Is48Bit = (format & ChunkFormat.Is48Bit) != 0;
            Unit = Indexes ? 8 : 4;
            Position = (inode.PayloadPosition + Unit - 1) & ~(long)(Unit - 1);
        }
    }

    /// <summary>The chunk holding byte <paramref name="offset"/>: its entry, start, and the end of its bytes in the file.</summary>
    private (ChunkEntry Entry, long ChunkStart, long MappedEnd) ReadChunkEntry(ErofsInode inode, in ChunkTable table, long offset, Span<byte> raw)
    {
        long chunk = offset >> table.ChunkBits;
        _image.Meta.Read(inode.InMetabox, table.Position + chunk * table.Unit, raw[..table.Unit], inode.Nid);
        var entry = table.Indexes ? ChunkEntry.FromIndex(raw, table.Is48Bit, _devices.DeviceIdMask) : ChunkEntry.FromBlockMap(raw);
        long size = (long)inode.Size;
        long bs = 1L << _blockBits;
        long chunkStart = chunk << table.ChunkBits;
        long mapped = Math.Min(1L << table.ChunkBits, (size - chunkStart + bs - 1) & ~(bs - 1));
        long mappedEnd = Math.Min(chunkStart + mapped, size);
        if (mappedEnd <= offset) throw new ErofsCorruptImageException($"chunk {chunk} maps no data at offset {offset}", null, inode.Nid);
        return (entry, chunkStart, mappedEnd);
    }

    /// <summary>
    /// The run of file bytes from <paramref name="offset"/> (inside the file) that are all a hole (read as zeros
    /// without touching storage) or all stored data; returns its length (at least 1) and sets <paramref name="hole"/>.
    /// Lets scanners skip holes instead of reading zeros.
    /// </summary>
    public long MapRun(ErofsInode inode, long offset, out bool hole)
    {
        long size = (long)inode.Size;
        if (offset < 0 || offset >= size) throw new ArgumentOutOfRangeException(nameof(offset));
        switch (inode.Layout)
        {
            case DataLayout.FlatPlain:
                ulong nullMask = inode.Core.NbIsAddressHigh ? ErofsConstants.NullAddress48 : ErofsConstants.NullAddress32;
                hole = (inode.Core.WideU & nullMask) == nullMask;
                return size - offset;
            case DataLayout.FlatInline:
                hole = false;
                return size - offset;
            case DataLayout.ChunkBased:
                var table = new ChunkTable(inode, _blockBits);
                Span<byte> raw = stackalloc byte[8];
                var (entry, _, mappedEnd) = ReadChunkEntry(inode, table, offset, raw);
                hole = entry.IsHole;
                return mappedEnd - offset;
            default:
                var e = MapExtent(inode, offset);
                hole = e.Kind == ExtentKind.Hole;
                return Math.Max(1, Math.Min(e.LogicalEnd, size) - offset);
        }
    }

    // ---- compressed ----------------------------------------------------------------------------------------

    internal CompressedMap GetMap(ErofsInode inode)
    {
        if (inode.CompressedMapState is CompressedMap m) return m;
        m = new CompressedMap(inode, _image.Meta, _image.Superblock);
        inode.CompressedMapState = m;
        return m;
    }

    /// <summary>The extent containing offset <paramref name="x"/> of a compressed inode.</summary>
    public Extent MapExtent(ErofsInode inode, long x) => GetMap(inode).Map(x);

    /// <summary>Most pclusters decoded in one batch ahead of a large read.</summary>
    private const int MaxBatchPclusters = 256;

    private unsafe void ReadCompressed(ErofsInode inode, long offset, Span<byte> dest)
    {
        var map = GetMap(inode);
        if (dest.Length < 4 << _blockBits)
        {
            CopyExtents(inode, map, offset, dest, null, 0, dest);
            return;
        }
        // large read: decode up to MaxBatchPclusters pclusters at a time as one batch, then copy what was not decoded in place
        fixed (byte* pinnedDest = dest)
        {
            using var destMemory = new PinnedSpanMemory(pinnedDest, dest.Length);
            long readStart = offset, readEnd = offset + dest.Length;
            while (offset < readEnd)
            {
                var ahead = DecodeAheadInBatch(inode, map, readStart, destMemory.Memory, offset, out long windowEnd);
                int n = (int)(Math.Min(windowEnd, readEnd) - offset);
                CopyExtents(inode, map, offset, dest.Slice((int)(offset - readStart), n), ahead, readStart, dest);
                offset += n;
            }
        }
    }

    /// <summary>
    /// Fills <paramref name="part"/> (file bytes from <paramref name="offset"/>) extent by extent, taking pclusters
    /// from <paramref name="ahead"/> when they were decoded there (in place in <paramref name="whole"/>, the read's
    /// buffer starting at file offset <paramref name="wholeStart"/>, or into arrays) and from the cache or a decode
    /// otherwise.
    /// </summary>
    private void CopyExtents(ErofsInode inode, CompressedMap map, long offset, Span<byte> part, BatchDecoded? ahead, long wholeStart, Span<byte> whole)
    {
        while (!part.IsEmpty)
        {
            var e = map.Map(offset);
            long within = offset - e.LogicalStart;
            int n = (int)Math.Min(part.Length, e.LogicalEnd - offset);
            var target = part[..n];
            switch (e.Kind)
            {
                case ExtentKind.Hole:
                    target.Clear();
                    break;
                case ExtentKind.Fragment:
                    ReadFragment(inode, e.FragmentOffset + within, target);
                    break;
                case ExtentKind.Shifted:
                    ReadPhysical(inode, e, within, target);
                    break;
                case ExtentKind.Interlaced:
                    ReadInterlaced(inode, e, offset, target);
                    break;
                case ExtentKind.Compressed:
                    var key = KeyOf(e);
                    if (ahead is not null && ahead.InPlace.TryGetValue(key, out long decodedAt))
                    {
                        // decoded straight into the read's buffer, where the extent starting at decodedAt lies
                        if (decodedAt != e.LogicalStart) whole.Slice((int)(decodedAt - wholeStart + within), n).CopyTo(target);
                    }
                    else
                    {
                        var decoded = ahead is not null && ahead.Cached.TryGetValue(key, out var batched) ? batched : GetDecoded(inode, e);
                        decoded.AsSpan((int)within, n).CopyTo(target);
                    }
                    break;
            }
            part = part[n..];
            offset += n;
        }
    }

    private void ReadPhysical(ErofsInode inode, in Extent e, long within, Span<byte> dest)
    {
        if (e.InMetadata) _image.Meta.Read(e.InMetabox, e.PhysicalAddress + within, dest, inode.Nid);
        else _devices.ReadExact(e.Device, e.PhysicalAddress + within, dest, inode.Nid);
    }

    private void ReadInterlaced(ErofsInode inode, in Extent e, long fileOffset, Span<byte> dest)
    {
        int bs = 1 << _blockBits;
        int plen = e.PhysicalLength;
        while (!dest.IsEmpty)
        {
            int at = (int)(fileOffset & (bs - 1));
            if (at >= plen) throw new ErofsCorruptImageException($"interlaced pcluster of {plen} bytes has no byte {at}", e.PhysicalAddress, inode.Nid);
            int n = Math.Min(dest.Length, plen - at);
            ReadPhysical(inode, e, at, dest[..n]);
            dest = dest[n..];
            fileOffset += n;
        }
    }

    private void ReadFragment(ErofsInode inode, long packedOffset, Span<byte> dest)
    {
        var packed = _image.PackedInode ?? throw new ErofsCorruptImageException("file has a fragment but the image has no packed inode", null, inode.Nid);
        if (packed.Nid == inode.Nid) throw new ErofsCorruptImageException("the packed inode refers to a fragment of itself", null, inode.Nid);
        if (packedOffset < 0 || packedOffset > (long)packed.Size || (long)packed.Size - packedOffset < dest.Length)
            throw new ErofsCorruptImageException($"fragment [{packedOffset}, +{dest.Length}) lies outside the packed inode ({packed.Size} bytes)", null, inode.Nid);
        Read(packed, packedOffset, dest);
    }

    private static PclusterKey KeyOf(in Extent e) =>
        new(e.InMetadata ? (e.InMetabox ? -2 : -1) : e.Device, e.PhysicalAddress, e.PhysicalLength, (int)e.LogicalLength, (byte)e.Algorithm);

    /// <summary>Pclusters decoded ahead of a large read.</summary>
    private sealed class BatchDecoded
    {
        /// <summary>Decoded into the read's own buffer: key to the file offset of the extent decoded there.</summary>
        public readonly Dictionary<PclusterKey, long> InPlace = new();

        /// <summary>Decoded into new arrays (extents the read covers only partly), also offered to the cache.</summary>
        public readonly Dictionary<PclusterKey, byte[]> Cached = new();
    }

    /// <summary>
    /// For a large read: decodes the uncached pclusters it covers as one batch (so the engine can spread them over
    /// cores or hand them to a batch accelerator), reading physically contiguous pclusters with one read. Extents the
    /// read covers whole are decoded straight into <paramref name="destination"/> (no copy, no allocation, nothing
    /// cached: the reader has them); the one or two it covers partly are decoded into arrays and cached, since the next
    /// read usually wants their other part. Anything that fails is left to the normal path, which decodes it alone and
    /// reports the error.
    /// </summary>
    /// <param name="offset">File offset of <paramref name="destination"/>.</param>
    /// <param name="from">Where this batch starts (at or after <paramref name="offset"/>).</param>
    /// <param name="windowEnd">Where the extents this batch looked at end: the caller copies up to there, then asks again.</param>
    private BatchDecoded? DecodeAheadInBatch(ErofsInode inode, CompressedMap map, long offset, Memory<byte> destination, long from, out long windowEnd)
    {
        var pending = new List<(Extent Extent, PclusterKey Key, bool InPlace)>();
        long x = from, end = offset + destination.Length;
        try
        {
            while (x < end && pending.Count < MaxBatchPclusters)
            {
                var e = map.Map(x);
                if (e.Kind == ExtentKind.Compressed && !e.InMetadata)
                {
                    var key = KeyOf(e);
                    if (!_cache.TryGet(key, out _) && !pending.Exists(p => p.Key == key))
                        pending.Add((e, key, e.LogicalStart >= offset && e.LogicalEnd <= end));
                }
                if (e.LogicalEnd <= x) break; // a map that does not advance: the copy path reports it
                x = e.LogicalEnd;
            }
        }
        catch (ErofsException)
        {
            // a corrupt index: the copy path reports it with its context
        }
        windowEnd = Math.Max(x, from + 1);
        if (pending.Count == 0 || (pending.Count == 1 && !pending[0].InPlace)) return null;
        pending.Sort((a, b) => a.Extent.Device != b.Extent.Device ? a.Extent.Device.CompareTo(b.Extent.Device) : a.Extent.PhysicalAddress.CompareTo(b.Extent.PhysicalAddress));
        var buffers = new List<byte[]>();
        var requests = new DecompressionRequest[pending.Count];
        var outputs = new Memory<byte>[pending.Count];
        try
        {
            for (int i = 0; i < pending.Count;)
            {
                // one read for a run of back-to-back pclusters on the same device
                int j = i + 1;
                long runStart = pending[i].Extent.PhysicalAddress, runEnd = runStart + pending[i].Extent.PhysicalLength;
                while (j < pending.Count && pending[j].Extent.Device == pending[i].Extent.Device
                       && pending[j].Extent.PhysicalAddress == runEnd && runEnd - runStart < (4 << 20))
                {
                    runEnd += pending[j].Extent.PhysicalLength;
                    j++;
                }
                var raw = ArrayPool<byte>.Shared.Rent((int)(runEnd - runStart));
                buffers.Add(raw);
                _devices.ReadExact(pending[i].Extent.Device, runStart, raw.AsSpan(0, (int)(runEnd - runStart)), inode.Nid);
                for (int k = i; k < j; k++)
                {
                    var (e, _, inPlace) = pending[k];
                    int at = (int)(e.PhysicalAddress - runStart);
                    var p = BuildParameters(e, raw.AsSpan(at, e.PhysicalLength), out int margin);
                    outputs[k] = inPlace
                        ? destination.Slice((int)(e.LogicalStart - offset), (int)e.LogicalLength)
                        : GC.AllocateUninitializedArray<byte>((int)e.LogicalLength);
                    requests[k] = new DecompressionRequest(raw.AsMemory(at + margin, e.PhysicalLength - margin), outputs[k], p);
                }
                i = j;
            }
            var results = new DecompressionResult[pending.Count];
            var vt = _decompressor.DecompressBatchAsync(requests, results);
            if (!vt.IsCompletedSuccessfully) vt.AsTask().GetAwaiter().GetResult();
            var decoded = new BatchDecoded();
            for (int i = 0; i < pending.Count; i++)
            {
                var (e, key, inPlace) = pending[i];
                if (!results[i].Succeeded || results[i].BytesWritten != outputs[i].Length) continue;
                if (inPlace)
                {
                    _cache.CountDecoded();
                    decoded.InPlace[key] = e.LogicalStart;
                }
                else
                {
                    var array = System.Runtime.InteropServices.MemoryMarshal.TryGetArray<byte>(outputs[i], out var segment) ? segment.Array! : outputs[i].ToArray();
                    _cache.AddDecoded(key, array);
                    decoded.Cached[key] = array;
                }
            }
            return decoded;
        }
        catch (ErofsException)
        {
            // a bad pcluster address or similar: the per-extent path reports it precisely
            return null;
        }
        finally
        {
            foreach (var b in buffers) ArrayPool<byte>.Shared.Return(b);
        }
    }

    private byte[] GetDecoded(ErofsInode inode, in Extent e)
    {
        var key = KeyOf(e);
        return _cache.GetOrDecode(key, (this, inode, e), static s => s.Item1.Decode(s.inode, s.e));
    }

    private byte[] Decode(ErofsInode inode, Extent e)
    {
        var raw = ArrayPool<byte>.Shared.Rent(e.PhysicalLength);
        try
        {
            var input = raw.AsSpan(0, e.PhysicalLength);
            ReadPhysical(inode, e, 0, input);
            var p = BuildParameters(e, input, out int margin);
            var output = GC.AllocateUninitializedArray<byte>((int)e.LogicalLength);
            var request = new DecompressionRequest(raw.AsMemory(margin, e.PhysicalLength - margin), output, p);
            var vt = _decompressor.DecompressAsync(request);
            var result = vt.IsCompletedSuccessfully ? vt.Result : vt.AsTask().GetAwaiter().GetResult();
            if (!result.Succeeded)
                throw new ErofsCorruptImageException(
                    $"cannot decode {AlgorithmIds.Name(e.Algorithm)} pcluster of {e.PhysicalLength} bytes at {e.PhysicalAddress} for file bytes [{e.LogicalStart}, {e.LogicalEnd}): {result.Status}",
                    e.PhysicalAddress, inode.Nid);
            return output;
        }
        catch (CorruptCompressedDataException ex)
        {
            throw new ErofsCorruptImageException(
                $"corrupt {AlgorithmIds.Name(e.Algorithm)} pcluster at {e.PhysicalAddress} for file bytes [{e.LogicalStart}, {e.LogicalEnd}): {ex.Message}",
                e.PhysicalAddress, inode.Nid, ex);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(raw);
        }
    }

    public CompressedPcluster ReadPcluster(ErofsInode inode, in Extent e)
    {
        var raw = new byte[e.PhysicalLength];
        ReadPhysical(inode, e, 0, raw);
        var p = BuildParameters(e, raw, out int margin);
        return new CompressedPcluster(inode, e, raw[margin..], p);
    }

    internal DecodeParameters BuildParameters(in Extent e, ReadOnlySpan<byte> input, out int margin)
    {
        var sb = _image.Superblock;
        var cfg = _image.CompressionConfigs;
        bool zeroPadding = sb.Has(IncompatFeatures.Lz4ZeroPadding) || e.Algorithm != AlgorithmIds.Lz4;
        margin = 0;
        bool partial = e.PartialReference;
        if (zeroPadding)
        {
            int nz = input.IndexOfAnyExcept((byte)0);
            if (nz < 0) throw new ErofsCorruptImageException($"pcluster at {e.PhysicalAddress} is all zeros", e.PhysicalAddress);
            margin = nz;
        }
        else partial = true; // legacy LZ4: stream length unknown, decode exactly the extent and ignore the rest
        return new DecodeParameters
        {
            Algorithm = (CompressionAlgorithm)e.Algorithm,
            DecodedLength = (int)e.LogicalLength,
            Partial = partial,
            Lz4MaxDistance = cfg.Lz4MaxDistance,
            LzmaDictionarySize = cfg.LzmaDictionarySize,
            DeflateWindowBits = cfg.DeflateWindowBits,
            ZstdWindowLog = cfg.ZstdWindowLog,
        };
    }

    internal static ushort U16(ReadOnlySpan<byte> b) => BinaryPrimitives.ReadUInt16LittleEndian(b);
}
