namespace Erofs.Accel.Core.Caching;

/// <summary>
/// One decoded pcluster: <see cref="Length"/> bytes at the start of a pooled, pinned array, with a reference count.
/// The cache holds one reference while the entry is cached; every reader that uses the bytes holds one from
/// <see cref="TryAcquire"/> (or from the call that returned the entry) until it is done, and a FUSE reply that hands
/// a slice to the kernel by writev holds one until the reply is written (<see cref="Dispose"/> drops it). When the
/// last reference goes, the array returns to the pool; nobody can still be looking at it.
/// </summary>
internal sealed class DecodedPcluster : IDisposable
{
    private readonly DecodedBufferPool _pool;
    private byte[]? _array;
    private int _references;

    /// <param name="references">References the creator hands out at once (the cache's, the caller's).</param>
    public DecodedPcluster(DecodedBufferPool pool, byte[] array, int length, int firstImage, int references)
    {
        _pool = pool;
        _array = array;
        Length = length;
        FirstImage = firstImage;
        _references = references;
    }

    public int Length { get; }

    /// <summary>The image whose read decoded it (hits from other images count as cross-image hits).</summary>
    public int FirstImage { get; }

    /// <summary>The pooled array (valid while the caller holds a reference); the bytes are its first <see cref="Length"/>.</summary>
    public byte[] Array => _array ?? throw new ObjectDisposedException(nameof(DecodedPcluster), "decoded pcluster used after its last reference was dropped");

    public ReadOnlySpan<byte> Bytes => Array.AsSpan(0, Length);

    /// <summary>Takes a reference unless the entry is already gone (its last reference dropped).</summary>
    public bool TryAcquire()
    {
        int current = Volatile.Read(ref _references);
        while (current > 0)
        {
            int seen = Interlocked.CompareExchange(ref _references, current + 1, current);
            if (seen == current) return true;
            current = seen;
        }
        return false;
    }

    /// <summary>Drops one reference; the last returns the array to the pool.</summary>
    public void Release()
    {
        int left = Interlocked.Decrement(ref _references);
        if (left > 0) return;
        if (left < 0) throw new InvalidOperationException("decoded pcluster released more often than acquired");
        var array = Interlocked.Exchange(ref _array, null);
        if (array is not null) _pool.Return(array);
    }

    /// <summary>Drops one reference (the one handed to a FUSE reply with a shared piece).</summary>
    public void Dispose() => Release();
}
