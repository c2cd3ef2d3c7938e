using Erofs.Accel.Core.Caching;

namespace Erofs.Accel.Core.Tests;

/// <summary>The CLOCK cache, the decoded-buffer pool and the reference counting of decoded pclusters.</summary>
public sealed class CachingTests
{
    [Fact]
    public void ClockCacheStaysWithinItsWeightAndKeepsWhatIsHit()
    {
        var evicted = new List<int>();
        var cache = new ClockCache<int, byte[]>(10_000, b => b.Length, b => evicted.Add(b.Length));
        for (int i = 0; i < 10; i++) Assert.True(cache.Add(i, new byte[1000]));
        Assert.Equal(10_000, cache.Weight);
        Assert.True(cache.TryGet(3, out _)); // hit: survives the next sweep
        Assert.True(cache.Add(10, new byte[1000]));
        Assert.True(cache.Weight <= 10_000);
        Assert.Single(evicted);
        Assert.True(cache.TryGet(3, out _));
        Assert.False(cache.Add(99, new byte[10_001])); // heavier than the whole cache: not kept
        Assert.False(cache.TryGet(99, out _));
        for (int i = 11; i < 40; i++) cache.Add(i, new byte[500 + i]);
        Assert.True(cache.Weight <= 10_000);
        cache.Clear();
        Assert.Equal(0, cache.Weight);
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void ClockCacheReplacesAKeyAndEvictsTheOldValue()
    {
        int evictions = 0;
        var cache = new ClockCache<string, string>(100, s => s.Length, _ => evictions++);
        cache.Add("a", "first");
        cache.Add("a", "second!");
        Assert.True(cache.TryGet("a", out var value));
        Assert.Equal("second!", value);
        Assert.Equal(1, evictions);
        Assert.Equal(7, cache.Weight);
    }

    [Fact]
    public void PoolRoundsToClassesAndReusesReturnedArrays()
    {
        var pool = new DecodedBufferPool(1 << 20);
        var a = pool.Rent(5000);
        Assert.Equal(8192, a.Length);
        Assert.Equal(15 << 12, pool.Rent(60_000).Length);
        Assert.Equal(64 << 10, pool.Rent(65_000).Length);
        Assert.Equal(128 << 10, pool.Rent((64 << 10) + 1).Length);
        Assert.Equal(16 << 20, pool.Rent(12 << 20).Length);
        pool.Return(a);
        Assert.Equal(8192, pool.RetainedBytes);
        Assert.Same(a, pool.Rent(7000));
        Assert.Equal(0, pool.RetainedBytes);
        // no more than the limit waits in the pool
        for (int i = 0; i < 20; i++) pool.Return(new byte[64 << 10]);
        Assert.True(pool.RetainedBytes <= 1 << 20);
        pool.Return(new byte[5000]); // not a class size: dropped
        pool.Trim();
        Assert.Equal(0, pool.RetainedBytes);
    }

    [Fact]
    public void ADecodedPclusterReturnsItsArrayOnlyAfterTheLastReference()
    {
        var pool = new DecodedBufferPool(1 << 20);
        var array = pool.Rent(4096);
        var entry = new DecodedPcluster(pool, array, 4000, firstImage: 1, references: 2);
        Assert.True(entry.TryAcquire());
        entry.Release();
        entry.Release();
        Assert.Equal(0, pool.RetainedBytes);
        Assert.Equal(4000, entry.Bytes.Length);
        entry.Dispose(); // the last reference
        Assert.Equal(4096, pool.RetainedBytes);
        Assert.False(entry.TryAcquire());
        Assert.Throws<ObjectDisposedException>(() => entry.Array);
        Assert.Throws<InvalidOperationException>(() => entry.Release());
    }
}
