namespace Erofs.Accel.Core.Caching;

/// <summary>
/// A thread-safe least-recently-used cache bounded by the total weight of its values (bytes, usually).
/// Split into shards so concurrent readers rarely contend. Values are immutable once inserted.
/// </summary>
public sealed class BoundedLruCache<TKey, TValue> where TKey : notnull
{
    private readonly Shard[] _shards;
    private readonly Func<TValue, long> _weigh;

    public long Capacity { get; }

    public BoundedLruCache(long capacity, Func<TValue, long> weigh, int shardCount = 16)
    {
        if (capacity < 0) throw new ArgumentOutOfRangeException(nameof(capacity));
        shardCount = capacity == 0 ? 1 : Math.Max(1, shardCount);
        Capacity = capacity;
        _weigh = weigh;
        _shards = new Shard[shardCount];
        for (int i = 0; i < shardCount; i++) _shards[i] = new Shard(capacity / shardCount);
    }

    private Shard ShardOf(in TKey key) => _shards[(int)((uint)key.GetHashCode() % (uint)_shards.Length)];

    public bool TryGet(TKey key, out TValue value) => ShardOf(key).TryGet(key, out value);

    /// <summary>Adds or replaces a value; values heavier than a shard are not cached.</summary>
    public void Add(TKey key, TValue value) => ShardOf(key).Add(key, value, _weigh(value));

    public long Weight
    {
        get
        {
            long w = 0;
            foreach (var s in _shards) w += s.Weight;
            return w;
        }
    }

    public int Count
    {
        get
        {
            int c = 0;
            foreach (var s in _shards) c += s.Count;
            return c;
        }
    }

    public void Clear()
    {
        foreach (var s in _shards) s.Clear();
    }

    private sealed class Shard
    {
        private readonly long _capacity;
        private readonly Lock _lock = new();
        private readonly Dictionary<TKey, LinkedListNode<Entry>> _map = new();
        private readonly LinkedList<Entry> _lru = new();
        private long _weight;

        public Shard(long capacity) => _capacity = capacity;

        public long Weight { get { lock (_lock) return _weight; } }
        public int Count { get { lock (_lock) return _map.Count; } }

        public bool TryGet(TKey key, out TValue value)
        {
            lock (_lock)
            {
                if (_map.TryGetValue(key, out var node))
                {
                    if (node != _lru.First)
                    {
                        _lru.Remove(node);
                        _lru.AddFirst(node);
                    }
                    value = node.Value.Value;
                    return true;
                }
            }
            value = default!;
            return false;
        }

        public void Add(TKey key, TValue value, long weight)
        {
            if (weight > _capacity) return;
            lock (_lock)
            {
                if (_map.TryGetValue(key, out var old))
                {
                    _lru.Remove(old);
                    _weight -= old.Value.Weight;
                }
                var node = _lru.AddFirst(new Entry(key, value, weight));
                _map[key] = node;
                _weight += weight;
                while (_weight > _capacity && _lru.Last is { } last)
                {
                    _lru.RemoveLast();
                    _map.Remove(last.Value.Key);
                    _weight -= last.Value.Weight;
                }
            }
        }

        public void Clear()
        {
            lock (_lock)
            {
                _map.Clear();
                _lru.Clear();
                _weight = 0;
            }
        }

        private readonly record struct Entry(TKey Key, TValue Value, long Weight);
    }
}
