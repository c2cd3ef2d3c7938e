using System.Buffers;
using System.Runtime.InteropServices;
using Erofs.Accel.Core.Caching;
using Erofs.Accel.Core.Metadata;
using Erofs.Accel.Core.Storage;
using Erofs.Accel.Decompression;

namespace Erofs.Accel.Core.Data;

/// <summary>
/// Reads file content for every data layout (flat, chunk-based, compressed) the same way, window by window:
/// <list type="number">
/// <item><b>Plan</b>: map the range once into <see cref="ReadStep"/>s (holes, device runs, inline metadata,
/// fragments, compressed extents).</item>
/// <item><b>Resolve</b> compressed steps: by location in this image's view of the decoded-pcluster cache (no I/O);
/// the rest get their compressed bytes with one read per physically contiguous run, are looked up by content (a hash
/// of the stream), and the extents the read covers only partly are decoded once into the cache.</item>
/// <item><b>Decode</b> the extents a large read covers whole straight into the read's buffer, as one batch (so the
/// engine can spread them over cores or hand them to an accelerator); they are not cached: the reader has them.</item>
/// <item><b>Fill</b> the rest (zeros, device reads, metadata, fragments, copies from decoded pclusters) and commit in
/// file order; where the target takes them, cached decoded bytes are handed over as shared pieces instead of
/// copied.</item>
/// </list>
/// </summary>
internal sealed class FileDataReader
{
    /// <summary>Most compressed bytes a window reads for its uncached pclusters.</summary>
    private const long MaxRawBytesPerWindow = 8 << 20;

    /// <summary>Smallest piece of a cached pcluster handed over shared rather than copied.</summary>
    public const int SharedPieceMinimumBytes = 1024;

    private readonly ImageContext _context;
    private readonly DeviceSet _devices;
    private readonly MetadataReader _meta;
    private readonly IPclusterDecompressor _decompressor;
    private readonly ImageDecodedCache _cache;
    private readonly int _blockBits;
    private readonly int _stepsPerWindow;

    /// <param name="stepsPerWindow">Most steps (extents, chunks) planned and run at once.</param>
    public FileDataReader(ImageContext context, int stepsPerWindow)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(stepsPerWindow, 2);
        _stepsPerWindow = stepsPerWindow;
        _context = context;
        _devices = context.Devices;
        _meta = context.Metadata;
        _decompressor = context.Decompressor;
        _cache = context.DecodedCache;
        _blockBits = context.BlockBits;
    }

    /// <summary>Reads up to dest.Length bytes at offset; returns the count (short only at end of file).</summary>
    public int Read(ErofsInode inode, long offset, Span<byte> destination)
    {
        var target = new SpanReadTarget(destination);
        return Read(inode, offset, destination.Length, ref target);
    }

    /// <summary>Reads up to <paramref name="length"/> bytes at offset into <paramref name="target"/>; returns the count.</summary>
    public int Read<TTarget>(ErofsInode inode, long offset, int length, ref TTarget target) where TTarget : IReadTarget, allows ref struct
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        long size = (long)inode.Size;
        if (offset >= size || length == 0) return 0;
        int n = (int)Math.Min(length, size - offset);
        long readEnd = offset + n;
        bool decodeInPlace = n >= 4 << _blockBits;
        var steps = ArrayPool<ReadStep>.Shared.Rent(_stepsPerWindow);
        int count = 0;
        try
        {
            for (long at = offset; at < readEnd;)
            {
                count = Plan(inode, at, offset, readEnd, decodeInPlace, steps, out long windowEnd);
                Execute(inode, steps.AsSpan(0, count), ref target);
                steps.AsSpan(0, count).Clear(); // drop references to decoded arrays before the array goes back to the pool
                count = 0;
                at = windowEnd;
            }
        }
        finally
        {
            steps.AsSpan(0, count).Clear();
            ArrayPool<ReadStep>.Shared.Return(steps);
        }
        return n;
    }

    // ---- plan ------------------------------------------------------------------------------------------------

    /// <summary>Maps [at, readEnd) into steps, as far as one window goes; returns the step count.</summary>
    private int Plan(ErofsInode inode, long at, long readStart, long readEnd, bool decodeInPlace, ReadStep[] steps, out long windowEnd) =>
        inode.Layout switch
        {
            DataLayout.FlatPlain or DataLayout.FlatInline => PlanFlat(inode, at, readEnd, steps, out windowEnd),
            DataLayout.ChunkBased => PlanChunked(inode, at, readEnd, steps, out windowEnd),
            _ => PlanCompressed(inode, at, readStart, readEnd, decodeInPlace, steps, out windowEnd),
        };

    private int PlanFlat(ErofsInode inode, long at, long readEnd, ReadStep[] steps, out long windowEnd)
    {
        long size = (long)inode.Size;
        long bs = 1L << _blockBits;
        bool inline = inode.Layout == DataLayout.FlatInline;
        long tailStart = inline ? Math.Max(0, ((size + bs - 1) >> _blockBits) - 1 << _blockBits) : size;
        ulong startBlk = inode.Core.WideU;
        ulong nullMask = inode.Core.NbIsAddressHigh ? ErofsConstants.NullAddress48 : ErofsConstants.NullAddress32;
        bool hole = !inline && (startBlk & nullMask) == nullMask;
        int count = 0;
        if (at < tailStart)
        {
            int n = (int)(Math.Min(readEnd, tailStart) - at);
            if (hole) steps[count++] = new ReadStep { Kind = ReadStepKind.Zeros, Length = n };
            else
            {
                if (startBlk > (ulong)(long.MaxValue >> _blockBits))
                    throw new ErofsCorruptImageException($"start block {startBlk} out of range", null, inode.Nid);
                steps[count++] = new ReadStep { Kind = ReadStepKind.Device, Length = n, Device = 0, Address = ((long)startBlk << _blockBits) + at };
            }
            at += n;
        }
        if (at < readEnd)
            steps[count++] = new ReadStep
            {
                Kind = ReadStepKind.Metadata, Length = (int)(readEnd - at), InMetabox = inode.InMetabox,
                Address = inode.PayloadPosition + (at - tailStart),
            };
        windowEnd = readEnd;
        return count;
    }

    private int PlanChunked(ErofsInode inode, long at, long readEnd, ReadStep[] steps, out long windowEnd)
    {
        var table = new ChunkTable(inode, _blockBits);
        Span<byte> raw = stackalloc byte[8];
        int count = 0;
        while (at < readEnd && count < _stepsPerWindow)
        {
            var (entry, chunkStart, mappedEnd) = ReadChunkEntry(inode, table, at, raw);
            int n = (int)(Math.Min(readEnd, mappedEnd) - at);
            if (entry.IsHole) steps[count++] = new ReadStep { Kind = ReadStepKind.Zeros, Length = n };
            else
            {
                if (entry.StartBlock > (ulong)(long.MaxValue >> _blockBits)) throw new ErofsCorruptImageException("chunk address out of range", null, inode.Nid);
                steps[count++] = new ReadStep
                {
                    Kind = ReadStepKind.Device, Length = n, Device = entry.Device, Address = ((long)entry.StartBlock << _blockBits) + (at - chunkStart),
                };
            }
            at += n;
        }
        windowEnd = at;
        return count;
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
        _meta.Read(inode.InMetabox, table.Position + chunk * table.Unit, raw[..table.Unit], inode.Nid);
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

    private int PlanCompressed(ErofsInode inode, long at, long readStart, long readEnd, bool decodeInPlace, ReadStep[] steps, out long windowEnd)
    {
        var map = MapOf(inode);
        int count = 0;
        long rawBytes = 0;
        while (at < readEnd && count < _stepsPerWindow && rawBytes < MaxRawBytesPerWindow)
        {
            var e = map.Map(at);
            long within = at - e.LogicalStart;
            int n = (int)(Math.Min(readEnd, e.LogicalEnd) - at);
            steps[count++] = e.Kind switch
            {
                ExtentKind.Hole => new ReadStep { Kind = ReadStepKind.Zeros, Length = n },
                ExtentKind.Fragment => new ReadStep { Kind = ReadStepKind.Fragment, Length = n, Address = e.FragmentOffset + within },
                ExtentKind.Shifted when e.InMetadata => new ReadStep
                {
                    Kind = ReadStepKind.Metadata, Length = n, InMetabox = e.InMetabox, Address = e.PhysicalAddress + within,
                },
                ExtentKind.Shifted => new ReadStep { Kind = ReadStepKind.Device, Length = n, Device = e.Device, Address = e.PhysicalAddress + within },
                ExtentKind.Interlaced => new ReadStep { Kind = ReadStepKind.Interlaced, Length = n, Extent = e, Within = at },
                _ => new ReadStep
                {
                    Kind = ReadStepKind.Compressed, Length = n, Extent = e, Within = within,
                    InPlace = decodeInPlace && e.LogicalStart >= readStart && e.LogicalEnd <= readEnd,
                },
            };
            if (e.Kind == ExtentKind.Compressed) rawBytes += e.PhysicalLength;
            at += n;
        }
        windowEnd = at;
        return count;
    }

    private static CompressedMap MapOf(ErofsInode inode) =>
        inode.CompressedMap ?? throw new ArgumentException($"nid {ErofsException.FormatNid(inode.Nid)} is not compressed", nameof(inode));

    /// <summary>The extent containing offset <paramref name="x"/> of a compressed inode.</summary>
    public static Extent MapExtent(ErofsInode inode, long x) => MapOf(inode).Map(x);

    // ---- execute ---------------------------------------------------------------------------------------------

    private void Execute<TTarget>(ErofsInode inode, Span<ReadStep> steps, ref TTarget target) where TTarget : IReadTarget, allows ref struct
    {
        byte[]? raw = null;
        try
        {
            raw = ResolveCompressed(inode, steps);
            // lay out the buffer: every step in order, except cached pieces the target takes shared
            int shared = 0, sharedLeft = target.SharedPiecesLeft, bufferBytes = 0;
            foreach (ref var step in steps)
            {
                if (step.Decoded is not null && step.Length >= SharedPieceMinimumBytes && shared < sharedLeft)
                {
                    step.BufferOffset = -1;
                    shared++;
                    continue;
                }
                step.BufferOffset = bufferBytes;
                bufferBytes += step.Length;
            }
            var buffer = target.Buffer;
            if (buffer.Length < bufferBytes) throw new ArgumentException($"the read target holds {buffer.Length} bytes, {bufferBytes} needed", nameof(target));
            if (raw is not null) DecodeInPlace(inode, steps, raw, buffer);
            foreach (ref var step in steps)
                if (step.BufferOffset >= 0) Fill(inode, step, buffer.Slice(step.BufferOffset, step.Length));

            int pending = 0;
            foreach (ref var step in steps)
            {
                if (step.BufferOffset >= 0)
                {
                    pending += step.Length;
                    continue;
                }
                if (pending > 0) target.Advance(pending);
                pending = 0;
                var lease = step.Decoded!;
                step.Decoded = null; // the target owns this reference now
                target.AddShared(MemoryMarshal.CreateFromPinnedArray(lease.Array, (int)step.Within, step.Length), lease);
            }
            if (pending > 0) target.Advance(pending);
        }
        finally
        {
            if (raw is not null) ArrayPool<byte>.Shared.Return(raw);
            foreach (ref var step in steps)
            {
                step.Decoded?.Release();
                step.Decoded = null;
            }
        }
    }

    /// <summary>
    /// Gives every compressed step its decoded bytes (from the cache, or decoded now into it), except those to be
    /// decoded in place, which get their stream in the returned raw buffer (null when no step needed raw bytes).
    /// </summary>
    private byte[]? ResolveCompressed(ErofsInode inode, Span<ReadStep> steps)
    {
        int rawTotal = 0;
        foreach (ref var step in steps)
        {
            if (step.Kind != ReadStepKind.Compressed) continue;
            step.Decoded = _cache.TryGetByLocation(LocationOf(step.Extent));
            if (step.Decoded is not null) continue;
            step.RawLength = step.Extent.PhysicalLength;
            rawTotal += step.RawLength;
        }
        if (rawTotal == 0) return null;
        var raw = ArrayPool<byte>.Shared.Rent(rawTotal);
        try
        {
            ReadRawPclusters(inode, steps, raw);
            bool anyInPlace = false;
            for (int i = 0; i < steps.Length; i++)
            {
                ref var step = ref steps[i];
                if (step.Kind != ReadStepKind.Compressed || step.Decoded is not null) continue;
                var e = step.Extent;
                step.Parameters = BuildParameters(e, raw.AsSpan(step.RawOffset, step.RawLength), out int margin);
                step.RawOffset += margin;
                step.RawLength -= margin;
                var stream = raw.AsSpan(step.RawOffset, step.RawLength);
                var location = LocationOf(e);
                var decode = new PendingDecode(this, inode, e, raw, step.RawOffset, step.RawLength, step.Parameters);
                if (!_cache.Enabled)
                {
                    if (step.InPlace) anyInPlace = true;
                    else step.Decoded = _cache.DecodeUncached((int)e.LogicalLength, decode, PendingDecode.Run);
                    continue;
                }
                if (step.InPlace && _cache.Shared.Images == 1)
                {
                    // only this image uses the cache, and it has no entry at this location: nothing to find by content
                    anyInPlace = true;
                    continue;
                }
                var key = new PclusterContentKey(stream, step.Parameters);
                step.Decoded = _cache.TryGetByContent(key, location);
                if (step.Decoded is not null) continue;
                if (step.InPlace)
                {
                    anyInPlace = true;
                    continue;
                }
                step.Decoded = _cache.GetOrDecode(key, location, (int)e.LogicalLength, decode, PendingDecode.Run);
            }
            if (anyInPlace) return raw;
            ArrayPool<byte>.Shared.Return(raw);
            return null;
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(raw);
            throw;
        }
    }

    /// <summary>
    /// Reads the pclusters of the unresolved compressed steps into <paramref name="raw"/> and sets their RawOffset:
    /// device pclusters sorted by address and laid out back to back, so each physically contiguous run is one read;
    /// inline ones after them, from the metadata.
    /// </summary>
    private void ReadRawPclusters(ErofsInode inode, Span<ReadStep> steps, byte[] raw)
    {
        var order = ArrayPool<int>.Shared.Rent(steps.Length);
        try
        {
            int count = 0;
            for (int i = 0; i < steps.Length; i++)
            {
                ref var step = ref steps[i];
                if (step.Kind != ReadStepKind.Compressed || step.Decoded is not null || step.Extent.InMetadata) continue;
                // insertion sort by (device, address): file order is nearly always address order already
                int k = count++;
                while (k > 0 && Before(step.Extent, steps[order[k - 1]].Extent))
                {
                    order[k] = order[k - 1];
                    k--;
                }
                order[k] = i;
            }
            int rawAt = 0;
            for (int k = 0; k < count; k++)
            {
                ref var step = ref steps[order[k]];
                step.RawOffset = rawAt;
                rawAt += step.RawLength;
            }
            foreach (ref var step in steps)
            {
                if (step.Kind != ReadStepKind.Compressed || step.Decoded is not null || !step.Extent.InMetadata) continue;
                step.RawOffset = rawAt;
                rawAt += step.RawLength;
                _meta.Read(step.Extent.InMetabox, step.Extent.PhysicalAddress, raw.AsSpan(step.RawOffset, step.RawLength), inode.Nid);
            }
            for (int k = 0; k < count;)
            {
                ref var first = ref steps[order[k]];
                long runStart = first.Extent.PhysicalAddress, runEnd = runStart + first.RawLength;
                int j = k + 1;
                while (j < count && steps[order[j]].Extent.Device == first.Extent.Device && steps[order[j]].Extent.PhysicalAddress == runEnd)
                {
                    runEnd += steps[order[j]].RawLength;
                    j++;
                }
                _devices.ReadExact(first.Extent.Device, runStart, raw.AsSpan(first.RawOffset, (int)(runEnd - runStart)), inode.Nid);
                k = j;
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(order);
        }
    }

    private static bool Before(in Extent a, in Extent b) =>
        a.Device != b.Device ? a.Device < b.Device : a.PhysicalAddress < b.PhysicalAddress;

    /// <summary>Decodes the unresolved in-place steps straight into the read's buffer, as one batch.</summary>
    private void DecodeInPlace(ErofsInode inode, Span<ReadStep> steps, byte[] raw, Span<byte> buffer)
    {
        int count = 0;
        foreach (ref var step in steps)
            if (step.Kind == ReadStepKind.Compressed && step.Decoded is null) count++;
        if (count == 0) return;
        var items = ArrayPool<DecompressionBatchItem>.Shared.Rent(count);
        var results = ArrayPool<DecompressionResult>.Shared.Rent(count);
        try
        {
            int k = 0;
            foreach (ref var step in steps)
                if (step.Kind == ReadStepKind.Compressed && step.Decoded is null)
                    items[k++] = new DecompressionBatchItem(step.RawOffset, step.RawLength, step.BufferOffset, step.Parameters);
            if (count == 1)
                results[0] = _decompressor.Decompress(items[0].SourceIn(raw), items[0].DestinationIn(buffer), items[0].Parameters);
            else
                _decompressor.DecompressBatch(raw, buffer, items.AsSpan(0, count), results.AsSpan(0, count));
            k = 0;
            foreach (ref var step in steps)
            {
                if (step.Kind != ReadStepKind.Compressed || step.Decoded is not null) continue;
                var result = results[k++];
                if (!result.Succeeded || result.BytesWritten != step.Length)
                    ThrowUndecodable(inode, step.Extent, result);
                _cache.CountUncachedDecode();
            }
        }
        finally
        {
            ArrayPool<DecompressionBatchItem>.Shared.Return(items);
            ArrayPool<DecompressionResult>.Shared.Return(results, clearArray: true);
        }
    }

    private void Fill(ErofsInode inode, in ReadStep step, Span<byte> destination)
    {
        switch (step.Kind)
        {
            case ReadStepKind.Zeros:
                destination.Clear();
                break;
            case ReadStepKind.Device:
                _devices.ReadExact(step.Device, step.Address, destination, inode.Nid);
                break;
            case ReadStepKind.Metadata:
                _meta.Read(step.InMetabox, step.Address, destination, inode.Nid);
                break;
            case ReadStepKind.Interlaced:
                ReadInterlaced(inode, step.Extent, step.Within, destination);
                break;
            case ReadStepKind.Fragment:
                ReadFragment(inode, step.Address, destination);
                break;
            case ReadStepKind.Compressed:
                // in-place steps were decoded there already
                step.Decoded?.Bytes.Slice((int)step.Within, step.Length).CopyTo(destination);
                break;
        }
    }

    private void ReadPhysical(ErofsInode inode, in Extent e, long within, Span<byte> dest)
    {
        if (e.InMetadata) _meta.Read(e.InMetabox, e.PhysicalAddress + within, dest, inode.Nid);
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
        var packed = _context.PackedInode ?? throw new ErofsCorruptImageException("file has a fragment but the image has no packed inode", null, inode.Nid);
        if (packed.Nid == inode.Nid) throw new ErofsCorruptImageException("the packed inode refers to a fragment of itself", null, inode.Nid);
        if (packedOffset < 0 || packedOffset > (long)packed.Size || (long)packed.Size - packedOffset < dest.Length)
            throw new ErofsCorruptImageException($"fragment [{packedOffset}, +{dest.Length}) lies outside the packed inode ({packed.Size} bytes)", null, inode.Nid);
        Read(packed, packedOffset, dest);
    }

    private static PclusterLocation LocationOf(in Extent e) => new(
        e.InMetadata ? (e.InMetabox ? PclusterLocation.InlineInMetabox : PclusterLocation.InlineInImage) : e.Device,
        e.PhysicalAddress, e.PhysicalLength, (int)e.LogicalLength, e.PartialReference);

    /// <summary>A whole extent to decode for the cache, from its stream in a window's raw buffer.</summary>
    private readonly record struct PendingDecode(FileDataReader Reader, ErofsInode Inode, Extent Extent, byte[] Raw, int Offset, int Length,
        DecodeParameters Parameters)
    {
        /// <summary>Decodes into <paramref name="destination"/> (the extent's length); throws naming the pcluster when it cannot.</summary>
        public static void Run(in PendingDecode d, Span<byte> destination)
        {
            var result = d.Reader._decompressor.Decompress(d.Raw.AsSpan(d.Offset, d.Length), destination, d.Parameters);
            if (!result.Succeeded || result.BytesWritten != destination.Length) ThrowUndecodable(d.Inode, d.Extent, result);
        }
    }

    private static void ThrowUndecodable(ErofsInode inode, in Extent e, in DecompressionResult result) =>
        throw new ErofsCorruptImageException(
            $"cannot decode {CompressionAlgorithms.Name(e.Algorithm)} pcluster of {e.PhysicalLength} bytes at {e.PhysicalAddress} for file bytes [{e.LogicalStart}, {e.LogicalEnd}): "
            + (result.Succeeded ? $"decoded {result.BytesWritten} bytes, {e.LogicalLength} expected" : $"{result.Status} ({result.Backend})"),
            e.PhysicalAddress, inode.Nid);

    /// <summary>Reads a compressed extent's pcluster and the parameters to decode it (tools, benchmarks, tests).</summary>
    public CompressedPcluster ReadPcluster(ErofsInode inode, in Extent e)
    {
        var raw = new byte[e.PhysicalLength];
        ReadPhysical(inode, e, 0, raw);
        var p = BuildParameters(e, raw, out int margin);
        return new CompressedPcluster(inode, e, raw[margin..], p);
    }

    /// <summary>Decode parameters of a compressed extent; <paramref name="margin"/> is the zero padding before its stream.</summary>
    internal DecodeParameters BuildParameters(in Extent e, ReadOnlySpan<byte> input, out int margin)
    {
        var sb = _context.Superblock;
        var cfg = _context.CompressionConfigs;
        bool zeroPadding = sb.Has(IncompatFeatures.Lz4ZeroPadding) || e.Algorithm != CompressionAlgorithm.Lz4;
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
            Algorithm = e.Algorithm,
            DecodedLength = (int)e.LogicalLength,
            Partial = partial,
            Lz4MaxDistance = cfg.Lz4MaxDistance,
            LzmaDictionarySize = cfg.LzmaDictionarySize,
            DeflateWindowBits = cfg.DeflateWindowBits,
            ZstdWindowLog = cfg.ZstdWindowLog,
        };
    }
}
