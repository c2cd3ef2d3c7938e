using System.Collections.Concurrent;
using Erofs.Accel.Core.Caching;

namespace Erofs.Accel.Core.Data;

/// <summary>Identity of a decoded pcluster: where it is and how much of it is decoded.</summary>
public readonly record struct PclusterKey(int Source, long Address, int CompressedLength, int DecodedLength, byte Algorithm);

/// <summary>
/// Decoded pclusters shared by every reader of an image, bounded in bytes. Concurrent readers of the same pcluster
/// wait for one decode instead of decoding it twice.
/// </summary>
public sealed class DecodedPclusterCache
{
    private readonly BoundedLruCache<PclusterKey, byte[]> _lru;
    private readonly ConcurrentDictionary<PclusterKey, Task<byte[]>> _inflight = new();
    private long _hits, _misses;

    public DecodedPclusterCache(long capacityBytes)
    {
        _lru = new BoundedLruCache<PclusterKey, byte[]>(capacityBytes, b => b.Length + 96);
    }

    public long CapacityBytes => _lru.Capacity;
    public long CachedBytes => _lru.Weight;
    public long Hits => Interlocked.Read(ref _hits);
    /// <summary>Number of pclusters decoded (cache misses).</summary>
    public long Decodes => Interlocked.Read(ref _misses);

    /// <summary>Returns the cached decoded bytes, or runs <paramref name="decode"/> once (even under concurrency) and caches the result.</summary>
    public byte[] GetOrDecode<TState>(in PclusterKey key, TState state, Func<TState, byte[]> decode)
    {
        if (_lru.TryGet(key, out var hit))
        {
            Interlocked.Increment(ref _hits);
            return hit;
        }
        var tcs = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        var task = _inflight.GetOrAdd(key, tcs.Task);
        if (task != tcs.Task)
        {
            Interlocked.Increment(ref _hits);
            return task.GetAwaiter().GetResult();
        }
        try
        {
            if (_lru.TryGet(key, out hit))
            {
                Interlocked.Increment(ref _hits);
                tcs.SetResult(hit);
                return hit;
            }
            Interlocked.Increment(ref _misses);
            var bytes = decode(state);
            _lru.Add(key, bytes);
            tcs.SetResult(bytes);
            return bytes;
        }
        catch (Exception e)
        {
            tcs.SetException(e);
            _ = tcs.Task.Exception; // observed
            throw;
        }
        finally
        {
            _inflight.TryRemove(new KeyValuePair<PclusterKey, Task<byte[]>>(key, tcs.Task));
        }
    }

    public bool TryGet(in PclusterKey key, out byte[] bytes) => _lru.TryGet(key, out bytes);

    public void Add(in PclusterKey key, byte[] bytes) => _lru.Add(key, bytes);

    /// <summary>Caches a pcluster decoded outside <see cref="GetOrDecode"/> (batch decoding), counting the decode.</summary>
    internal void AddDecoded(in PclusterKey key, byte[] bytes)
    {
        Interlocked.Increment(ref _misses);
        _lru.Add(key, bytes);
    }

    /// <summary>Counts a pcluster decoded for one reader only (straight into its buffer), not cached.</summary>
    internal void CountDecoded() => Interlocked.Increment(ref _misses);

    public void Clear() => _lru.Clear();
}
