namespace Erofs.Accel.Core.Caching;

/// <summary>
/// One image's door to a (possibly shared) <see cref="DecodedPclusterCache"/>. It remembers, per pcluster location
/// of this image, the entry it found or decoded there, so a repeated read is one lock-free lookup with no I/O and no
/// hashing; only a location seen for the first time (or whose entry was evicted) costs reading and hashing the
/// compressed bytes to find the entry by content. Every entry it returns carries a reference for the caller, who
/// releases it when done.
/// </summary>
internal sealed class ImageDecodedCache
{
    private readonly ClockCache<PclusterLocation, DecodedPcluster>? _byLocation;
    private long _hits, _misses;

    /// <summary>Reads of this image served from the cache (by location or by content).</summary>
    public long Hits => Interlocked.Read(ref _hits);

    /// <summary>Pclusters of this image the cache did not hold when asked (decoded, or found decoded by a concurrent reader).</summary>
    public long Misses => Interlocked.Read(ref _misses);

    public ImageDecodedCache(DecodedPclusterCache shared)
    {
        Shared = shared;
        Image = shared.Attach();
        if (shared.CapacityBytes > 0)
        {
            // one remembered location per 4 KiB of budget (an entry is rarely smaller), at least 1024
            long locations = Math.Max(1024, shared.CapacityBytes / 4096);
            _byLocation = new ClockCache<PclusterLocation, DecodedPcluster>(locations, static _ => 1);
        }
    }

    public DecodedPclusterCache Shared { get; }

    /// <summary>This image's id in the shared cache.</summary>
    public int Image { get; }

    /// <summary>False when the budget is zero: nothing is kept, lookups are pointless.</summary>
    public bool Enabled => _byLocation is not null;

    /// <summary>The pcluster at <paramref name="location"/> when this image has found it before and it is still held.</summary>
    public DecodedPcluster? TryGetByLocation(in PclusterLocation location)
    {
        if (_byLocation is not null && _byLocation.TryGet(location, out var entry) && entry.TryAcquire())
        {
            Shared.CountHit(entry, Image);
            Interlocked.Increment(ref _hits);
            return entry;
        }
        return null;
    }

    /// <summary>Looks the pcluster up by content and, when found, remembers its location.</summary>
    public DecodedPcluster? TryGetByContent(in PclusterContentKey key, in PclusterLocation location)
    {
        if (_byLocation is null) return null;
        var entry = Shared.TryGet(key, Image);
        if (entry is not null)
        {
            _byLocation.Add(location, entry);
            Interlocked.Increment(ref _hits);
        }
        return entry;
    }

    /// <summary>From the cache by content, or decoded once (single-flight) and cached; the location is remembered.</summary>
    public DecodedPcluster GetOrDecode<TState>(in PclusterContentKey key, in PclusterLocation location, int length, in TState state, DecodeInto<TState> decode)
    {
        Interlocked.Increment(ref _misses);
        if (_byLocation is null) return Shared.DecodeUncached(Image, length, state, decode);
        var entry = Shared.GetOrDecode(key, Image, length, state, decode);
        _byLocation.Add(location, entry);
        return entry;
    }

    /// <summary>Decodes without the cache (the budget is zero), into a pooled array.</summary>
    public DecodedPcluster DecodeUncached<TState>(int length, in TState state, DecodeInto<TState> decode)
    {
        Interlocked.Increment(ref _misses);
        return Shared.DecodeUncached(Image, length, state, decode);
    }

    /// <summary>Counts a pcluster decoded straight into a reader's buffer (not cached).</summary>
    public void CountUncachedDecode()
    {
        Interlocked.Increment(ref _misses);
        Shared.CountUncachedDecode();
    }
}
