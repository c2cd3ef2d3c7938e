namespace Erofs.Accel.Decompression.Software;

/// <summary>
/// A small lock-free pool of native decoder contexts (each behind a SafeHandle). Renting takes a parked context or
/// creates one; returning parks it or, when every slot is taken, disposes it. Steady state allocates nothing.
/// </summary>
internal sealed class NativeContextPool<T> : IDisposable where T : class, IDisposable
{
    private readonly T?[] _slots;
    private readonly Func<T?> _factory;
    private volatile bool _disposed;

    public NativeContextPool(Func<T?> factory, int capacity = 0)
    {
        _factory = factory;
        _slots = new T?[capacity > 0 ? capacity : Math.Clamp(Environment.ProcessorCount * 2, 8, 64)];
    }

    /// <summary>A context for exclusive use until <see cref="Return"/>; null when the native side could not create one.</summary>
    public T? Rent()
    {
        int start = Environment.CurrentManagedThreadId % _slots.Length;
        for (int i = 0; i < _slots.Length; i++)
        {
            int index = (start + i) % _slots.Length;
            if (Volatile.Read(ref _slots[index]) is null) continue;
            var item = Interlocked.Exchange(ref _slots[index], null);
            if (item is not null) return item;
        }
        return _factory();
    }

    /// <summary>Gives a context back. Call only with a context in a reusable state.</summary>
    public void Return(T item)
    {
        if (!_disposed)
        {
            int start = Environment.CurrentManagedThreadId % _slots.Length;
            for (int i = 0; i < _slots.Length; i++)
            {
                int index = (start + i) % _slots.Length;
                if (Interlocked.CompareExchange(ref _slots[index], item, null) is null)
                {
                    if (_disposed) DrainSlots();
                    return;
                }
            }
        }
        item.Dispose();
    }

    public void Dispose()
    {
        _disposed = true;
        DrainSlots();
    }

    private void DrainSlots()
    {
        for (int i = 0; i < _slots.Length; i++)
            Interlocked.Exchange(ref _slots[i], null)?.Dispose();
    }
}
