namespace Erofs.Accel.Core.Caching;

/// <summary>
/// Arrays for decoded pclusters, reused when the cache evicts them, so a reader that keeps missing the cache (random
/// reads over more data than it holds) decodes into recycled memory instead of allocating: no garbage, no GC work,
/// no fresh pages. Sizes are rounded up to a class: multiples of 4 KiB up to 64 KiB, powers of two above. Arrays
/// are on the pinned object heap, so slices of them can go to the kernel without pinning. At most
/// <see cref="RetainedBytesLimit"/> bytes wait here; more are left to the GC.
/// </summary>
internal sealed class DecodedBufferPool
{
    private const int SmallStepBits = 12;
    private const int SmallLimit = 64 << 10;
    private const int SmallClasses = SmallLimit >> SmallStepBits;
    private const int LargeClasses = 24 - 16; // 128 KiB .. 16 MiB (an extent decodes to at most 12 MiB)

    private readonly Stack<byte[]>[] _free = new Stack<byte[]>[SmallClasses + LargeClasses];
    private readonly Lock _lock = new();
    private long _retained;

    public DecodedBufferPool(long retainedBytesLimit)
    {
        RetainedBytesLimit = retainedBytesLimit;
        for (int i = 0; i < _free.Length; i++) _free[i] = new Stack<byte[]>();
    }

    public long RetainedBytesLimit { get; }

    /// <summary>Bytes waiting in the pool.</summary>
    public long RetainedBytes => Volatile.Read(ref _retained);

    /// <summary>An array of at least <paramref name="length"/> bytes (its content is undefined).</summary>
    public byte[] Rent(int length)
    {
        int cls = ClassOf(length);
        if (cls < 0) return GC.AllocateUninitializedArray<byte>(length, pinned: true);
        lock (_lock)
        {
            if (_free[cls].TryPop(out var reused))
            {
                _retained -= reused.Length;
                return reused;
            }
        }
        return GC.AllocateUninitializedArray<byte>(SizeOf(cls), pinned: true);
    }

    /// <summary>Takes an array back (only arrays <see cref="Rent"/> returned, once each, and unused afterwards).</summary>
    public void Return(byte[] array)
    {
        int cls = ClassOf(array.Length);
        if (cls < 0 || SizeOf(cls) != array.Length) return;
        lock (_lock)
        {
            if (_retained + array.Length > RetainedBytesLimit) return;
            _free[cls].Push(array);
            _retained += array.Length;
        }
    }

    /// <summary>Drops every waiting array.</summary>
    public void Trim()
    {
        lock (_lock)
        {
            foreach (var stack in _free) stack.Clear();
            _retained = 0;
        }
    }

    private static int ClassOf(int length)
    {
        if (length <= 0) return -1;
        if (length <= SmallLimit) return ((length + (1 << SmallStepBits) - 1) >> SmallStepBits) - 1;
        int bits = 64 - System.Numerics.BitOperations.LeadingZeroCount((ulong)length - 1); // ceil(log2)
        int cls = SmallClasses + bits - 17;
        return cls < SmallClasses + LargeClasses ? cls : -1;
    }

    private static int SizeOf(int cls) => cls < SmallClasses ? (cls + 1) << SmallStepBits : 1 << (cls - SmallClasses + 17);
}
