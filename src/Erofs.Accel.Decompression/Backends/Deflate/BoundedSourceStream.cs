namespace Erofs.Accel.Decompression.Backends.Deflate;

/// <summary>
/// A read-only stream over pinned memory, reusable per thread. It never hands out a byte beyond the source, and it
/// records whether a reader asked for more after the source was used up (for an inflater: the stream is truncated).
/// </summary>
internal sealed unsafe class BoundedSourceStream : Stream
{
    private byte* _data;
    private int _length;
    private int _position;

    /// <summary>True once Read was called with the source exhausted.</summary>
    public bool ReadPastEnd { get; private set; }

    /// <summary>Points the stream at new memory; the caller keeps it pinned while the stream is in use.</summary>
    public void Reset(byte* data, int length)
    {
        _data = data;
        _length = length;
        _position = 0;
        ReadPastEnd = false;
    }

    /// <summary>Forgets the memory so no dangling pointer stays reachable.</summary>
    public void Clear() => Reset(null, 0);

    public override int Read(Span<byte> buffer)
    {
        int available = _length - _position;
        if (available <= 0)
        {
            if (buffer.Length > 0) ReadPastEnd = true;
            return 0;
        }
        int count = Math.Min(available, buffer.Length);
        new ReadOnlySpan<byte>(_data + _position, count).CopyTo(buffer);
        _position += count;
        return count;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int ReadByte()
    {
        Span<byte> one = stackalloc byte[1];
        return Read(one) == 1 ? one[0] : -1;
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
