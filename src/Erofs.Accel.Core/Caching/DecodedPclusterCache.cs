using System.Collections.Concurrent;

namespace Erofs.Accel.Core.Caching;

/// <summary>Writes the decoded bytes of one pcluster into <paramref name="destination"/> (exactly its length).</summary>
internal delegate void DecodeInto<TState>(in TState state, Span<byte> destination);

/// <summary>
/// Decoded pclusters, keyed by content (a hash of the compressed stream and the decode parameters, see
/// <see cref="PclusterContentKey"/>), bounded in bytes. One instance may serve many images
/// (<see cref="ErofsImageOptions.DecodedCache"/>): equal compressed pclusters in different images are then decoded
/// once, and the byte budget is global. Concurrent readers of the same pcluster wait for one decode instead of
/// decoding it twice. Hits take no lock; decoded bytes live in pooled, pinned arrays that are reused once the last
/// reader of an evicted entry is done (see <see cref="DecodedPcluster"/>).
/// </summary>
public sealed class DecodedPclusterCache
{
    /// <summary>Bytes counted for an entry beyond its array (object headers, index entries).</summary>
    public const int EntryOverheadBytes = 128;

    private readonly ClockCache<PclusterContentKey, DecodedPcluster> _entries;
    private readonly ConcurrentDictionary<PclusterContentKey, TaskCompletionSource<DecodedPcluster>> _inflight = new();
    private int _images;
    private long _hits, _crossImageHits, _misses, _decodes;

    /// <summary>An empty cache that holds at most <paramref name="capacityBytes"/> bytes of decoded pclusters.</summary>
    public DecodedPclusterCache(long capacityBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacityBytes);
        _entries = new ClockCache<PclusterContentKey, DecodedPcluster>(capacityBytes, static e => e.Array.Length + EntryOverheadBytes,
            static e => e.Release());
        Pool = new DecodedBufferPool(Math.Clamp(capacityBytes / 8, 4L << 20, 64L << 20));
    }

    /// <summary>Most bytes of decoded pclusters the cache holds at once.</summary>
    public long CapacityBytes => _entries.Capacity;

    /// <summary>Bytes held now (the entries' arrays plus <see cref="EntryOverheadBytes"/> each).</summary>
    public long CachedBytes => _entries.Weight;

    /// <summary>Pclusters held now.</summary>
    public int Count => _entries.Count;

    /// <summary>Images that have used this cache (opened with it).</summary>
    public int Images => Volatile.Read(ref _images);

    /// <summary>Reads served from an entry, including <see cref="CrossImageHits"/> and readers that waited for another's decode.</summary>
    public long Hits => Interlocked.Read(ref _hits);

    /// <summary>Hits on an entry that was first decoded for another image.</summary>
    public long CrossImageHits => Interlocked.Read(ref _crossImageHits);

    /// <summary>Lookups that found nothing and decoded the pcluster (into the cache when it fits).</summary>
    public long Misses => Interlocked.Read(ref _misses);

    /// <summary>
    /// Pclusters decoded for readers of the images using this cache: the misses, plus pclusters a large read decoded
    /// straight into its own buffer without caching them.
    /// </summary>
    public long Decodes => Interlocked.Read(ref _decodes);

    /// <summary>Drops every entry and the spare arrays (the counters stay).</summary>
    public void Clear()
    {
        _entries.Clear();
        Pool.Trim();
    }

    internal DecodedBufferPool Pool { get; }

    /// <summary>A new image starts using the cache: its id, for counting cross-image hits.</summary>
    internal int Attach() => Interlocked.Increment(ref _images);

    /// <summary>The entry for <paramref name="key"/> with a reference for the caller, counting a hit for image <paramref name="image"/>; null when absent.</summary>
    internal DecodedPcluster? TryGet(in PclusterContentKey key, int image)
    {
        if (_entries.TryGet(key, out var entry) && entry.TryAcquire())
        {
            CountHit(entry, image);
            return entry;
        }
        return null;
    }

    internal void CountHit(DecodedPcluster entry, int image)
    {
        Interlocked.Increment(ref _hits);
        if (entry.FirstImage != image) Interlocked.Increment(ref _crossImageHits);
    }

    /// <summary>
    /// The entry for <paramref name="key"/>, with a reference for the caller: from the cache, from a decode another
    /// reader has in progress (waiting for it), or by running <paramref name="decode"/> once into a pooled array of
    /// <paramref name="length"/> bytes and caching it (when it fits the budget).
    /// </summary>
    internal DecodedPcluster GetOrDecode<TState>(in PclusterContentKey key, int image, int length, in TState state, DecodeInto<TState> decode)
    {
        while (true)
        {
            var found = TryGet(key, image);
            if (found is not null) return found;
            var mine = new TaskCompletionSource<DecodedPcluster>(TaskCreationOptions.RunContinuationsAsynchronously);
            var inflight = _inflight.GetOrAdd(key, mine);
            if (inflight != mine)
            {
                var decoded = inflight.Task.GetAwaiter().GetResult();
                if (!decoded.TryAcquire()) continue; // already dropped again (not cacheable, or evicted): look again
                CountHit(decoded, image);
                return decoded;
            }
            try
            {
                found = TryGet(key, image); // decoded and cached just before we registered
                if (found is null)
                {
                    found = Decode(image, length, state, decode, cacheReference: true);
                    Interlocked.Increment(ref _misses);
                    if (!_entries.Add(key, found)) found.Release(); // heavier than the budget: the caller's reference only
                }
                mine.SetResult(found);
                return found;
            }
            catch (Exception e)
            {
                mine.SetException(e);
                _ = mine.Task.Exception; // observed: the waiters rethrow it
                throw;
            }
            finally
            {
                _inflight.TryRemove(new KeyValuePair<PclusterContentKey, TaskCompletionSource<DecodedPcluster>>(key, mine));
            }
        }
    }

    /// <summary>Decodes into a pooled array without caching: an entry whose only reference is the caller's.</summary>
    internal DecodedPcluster DecodeUncached<TState>(int image, int length, in TState state, DecodeInto<TState> decode) =>
        Decode(image, length, state, decode, cacheReference: false);

    private DecodedPcluster Decode<TState>(int image, int length, in TState state, DecodeInto<TState> decode, bool cacheReference)
    {
        var array = Pool.Rent(length);
        try
        {
            decode(state, array.AsSpan(0, length));
        }
        catch
        {
            Pool.Return(array);
            throw;
        }
        Interlocked.Increment(ref _decodes);
        return new DecodedPcluster(Pool, array, length, image, cacheReference ? 2 : 1);
    }

    /// <summary>Counts a pcluster decoded for one reader only (straight into its buffer), not cached.</summary>
    internal void CountUncachedDecode() => Interlocked.Increment(ref _decodes);
}
