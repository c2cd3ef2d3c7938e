using System.Collections.Concurrent;

namespace Erofs.Accel.Core.Caching;

/// <summary>
/// A thread-safe cache bounded by the total weight of its values (bytes, or 1 per entry), evicting with the CLOCK
/// approximation of least-recently-used. A hit is a lock-free dictionary lookup plus, the first time an entry is hit
/// after the hand passed it, one flag write: readers never move list nodes or take a lock, so many threads can hit
/// the same cache at once. Inserts and evictions take one lock. Values are immutable once inserted; an evicted value
/// is handed to the eviction callback (if any) and otherwise left to the garbage collector.
/// </summary>
internal sealed class ClockCache<TKey, TValue> where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, Entry> _map;
    private readonly Func<TValue, long> _weigh;
    private readonly Action<TValue>? _onEvicted;
    private readonly Lock _lock = new();
    private readonly List<Entry> _ring = new();
    private int _hand;
    private long _weight;

    public ClockCache(long capacity, Func<TValue, long> weigh, Action<TValue>? onEvicted = null, IEqualityComparer<TKey>? comparer = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        Capacity = capacity;
        _weigh = weigh;
        _onEvicted = onEvicted;
        _map = new ConcurrentDictionary<TKey, Entry>(comparer);
    }

    public long Capacity { get; }

    /// <summary>Total weight of the values held.</summary>
    public long Weight => Volatile.Read(ref _weight);

    public int Count => _map.Count;

    public bool TryGet(TKey key, out TValue value)
    {
        if (_map.TryGetValue(key, out var entry))
        {
            if (!entry.Referenced) entry.Referenced = true;
            value = entry.Value;
            return true;
        }
        value = default!;
        return false;
    }

    /// <summary>Adds or replaces a value; false when it is heavier than the whole cache (and so not kept).</summary>
    public bool Add(TKey key, TValue value)
    {
        long weight = _weigh(value);
        if (weight > Capacity) return false;
        var entry = new Entry(key, value, weight);
        lock (_lock)
        {
            if (_map.TryGetValue(key, out var old)) RemoveLocked(old);
            _map[key] = entry;
            entry.Slot = _ring.Count;
            _ring.Add(entry);
            _weight += weight;
            while (_weight > Capacity) EvictOneLocked();
        }
        return true;
    }

    /// <summary>Drops everything (eviction callbacks run for each value).</summary>
    public void Clear()
    {
        lock (_lock)
        {
            while (_ring.Count > 0) RemoveLocked(_ring[^1]);
            _hand = 0;
        }
    }

    private void EvictOneLocked()
    {
        // the hand sweeps the ring: entries hit since it last passed get a second chance
        while (true)
        {
            if (_hand >= _ring.Count) _hand = 0;
            var candidate = _ring[_hand];
            if (candidate.Referenced)
            {
                candidate.Referenced = false;
                _hand++;
                continue;
            }
            RemoveLocked(candidate);
            return;
        }
    }

    private void RemoveLocked(Entry entry)
    {
        // the last entry takes the removed one's slot, so the ring stays dense
        int slot = entry.Slot;
        var last = _ring[^1];
        _ring[slot] = last;
        last.Slot = slot;
        _ring.RemoveAt(_ring.Count - 1);
        _map.TryRemove(new KeyValuePair<TKey, Entry>(entry.Key, entry));
        _weight -= entry.Weight;
        _onEvicted?.Invoke(entry.Value);
    }

    private sealed class Entry(TKey key, TValue value, long weight)
    {
        public readonly TKey Key = key;
        public readonly TValue Value = value;
        public readonly long Weight = weight;
        public int Slot;
        public volatile bool Referenced;
    }
}
