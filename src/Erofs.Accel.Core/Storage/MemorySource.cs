namespace Erofs.Accel.Core.Storage;

/// <summary>An image held in memory.</summary>
public sealed class MemorySource : IRandomAccessSource
{
    private readonly ReadOnlyMemory<byte> _data;

    /// <summary>An image held in <paramref name="data"/> (not copied), named <paramref name="description"/> in messages.</summary>
    public MemorySource(ReadOnlyMemory<byte> data, string description = "memory")
    {
        _data = data;
        Description = description;
    }

    /// <inheritdoc/>
    public long Length => _data.Length;
    /// <inheritdoc/>
    public string Description { get; }

    /// <inheritdoc/>
    public int Read(long offset, Span<byte> buffer)
    {
        if (offset < 0) throw new ArgumentOutOfRangeException(nameof(offset));
        if (offset >= _data.Length) return 0;
        int n = (int)Math.Min(buffer.Length, _data.Length - offset);
        _data.Span.Slice((int)offset, n).CopyTo(buffer);
        return n;
    }

    /// <summary>Does nothing: the memory belongs to the caller.</summary>
    public void Dispose() { }
}
