namespace Erofs.Accel.Core.Storage;

/// <summary>
/// The bytes of another source from <see cref="Offset"/> on: an image stored inside a larger file or disk (like
/// erofsfuse --offset). Every read is shifted, so the superblock is read at offset + 1024.
/// </summary>
public sealed class OffsetSource : IRandomAccessSource
{
    private readonly IRandomAccessSource _inner;
    private readonly bool _ownsInner;

    /// <summary>The bytes of <paramref name="inner"/> from <paramref name="offset"/> on; disposes <paramref name="inner"/> with itself when <paramref name="ownsInner"/> is set.</summary>
    public OffsetSource(IRandomAccessSource inner, long offset, bool ownsInner = true)
    {
        ArgumentNullException.ThrowIfNull(inner);
        if (offset < 0 || offset >= inner.Length)
        {
            if (ownsInner) inner.Dispose();
            throw new ErofsIoException(offset < 0
                ? $"{inner.Description}: negative offset {offset}"
                : $"{inner.Description}: offset {offset} is at or past its end ({inner.Length} bytes)");
        }
        _inner = inner;
        _ownsInner = ownsInner;
        Offset = offset;
        Description = $"{inner.Description} at offset {offset}";
    }

    /// <summary>Byte offset in the inner source where the image starts.</summary>
    public long Offset { get; }
    /// <inheritdoc/>
    public long Length => _inner.Length - Offset;
    /// <inheritdoc/>
    public string Description { get; }

    /// <inheritdoc/>
    public int Read(long offset, Span<byte> buffer)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        if (offset >= Length) return 0;
        if (buffer.Length > Length - offset) buffer = buffer[..(int)(Length - offset)];
        return _inner.Read(Offset + offset, buffer);
    }

    /// <summary>Disposes the inner source when this source owns it.</summary>
    public void Dispose()
    {
        if (_ownsInner) _inner.Dispose();
    }
}
