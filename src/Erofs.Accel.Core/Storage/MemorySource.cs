namespace Erofs.Accel.Core.Storage;

/// <summary>An image held in memory.</summary>
public sealed class MemorySource : IRandomAccessSource
{
    private readonly ReadOnlyMemory<byte> _data;

    public MemorySource(ReadOnlyMemory<byte> data, string description = "memory")
    {
        _data = data;
        Description = description;
    }

    public long Length => _data.Length;
    public string Description { get; }

    public int Read(long offset, Span<byte> buffer)
    {
        if (offset < 0) throw new ArgumentOutOfRangeException(nameof(offset));
        if (offset >= _data.Length) return 0;
        int n = (int)Math.Min(buffer.Length, _data.Length - offset);
        _data.Span.Slice((int)offset, n).CopyTo(buffer);
        return n;
    }

    public void Dispose() { }
}
