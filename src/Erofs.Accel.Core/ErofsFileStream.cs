namespace Erofs.Accel.Core;

/// <summary>
/// The contents of a regular file of an image as a read-only, seekable stream: every read goes through
/// <see cref="ErofsImage.Read(ErofsInode, long, Span{byte})"/> at the stream's position, so decoded pclusters are
/// shared with every other reader of the image. Not thread-safe (one position); disposing it leaves the image open.
/// </summary>
internal sealed class ErofsFileStream : Stream
{
    private readonly ErofsImage _image;
    private readonly ErofsInode _inode;
    private readonly long _length;
    private long _position;
    private bool _disposed;

    public ErofsFileStream(ErofsImage image, ErofsInode inode)
    {
        _image = image;
        _inode = inode;
        _length = (long)Math.Min(inode.Size, long.MaxValue);
    }

    public override bool CanRead => !_disposed;
    public override bool CanSeek => !_disposed;
    public override bool CanWrite => false;

    public override long Length
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _length;
        }
    }

    public override long Position
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _position;
        }
        set
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            _position = value;
        }
    }

    public override int Read(Span<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_position >= _length || buffer.IsEmpty) return 0;
        if (buffer.Length > _length - _position) buffer = buffer[..(int)(_length - _position)];
        int n = _image.Read(_inode, _position, buffer);
        _position += n;
        return n;
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        ValidateBufferArguments(buffer, offset, count);
        return Read(buffer.AsSpan(offset, count));
    }

    public override int ReadByte()
    {
        Span<byte> one = stackalloc byte[1];
        return Read(one) == 1 ? one[0] : -1;
    }

    /// <summary>Reads synchronously (the image's read path is synchronous) and completes at once, like MemoryStream.</summary>
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested) return ValueTask.FromCanceled<int>(cancellationToken);
        try
        {
            return ValueTask.FromResult(Read(buffer.Span));
        }
        catch (Exception e)
        {
            return ValueTask.FromException<int>(e);
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        ValidateBufferArguments(buffer, offset, count);
        return ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    }

    public override long Seek(long offset, SeekOrigin origin)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        long target = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            SeekOrigin.End => _length + offset,
            _ => throw new ArgumentOutOfRangeException(nameof(origin)),
        };
        if (target < 0) throw new IOException("cannot seek before the beginning of the file");
        return _position = target;
    }

    public override void Flush() { }

    public override void SetLength(long value) => throw new NotSupportedException("an EROFS image is read-only");

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("an EROFS image is read-only");

    public override void Write(ReadOnlySpan<byte> buffer) => throw new NotSupportedException("an EROFS image is read-only");

    protected override void Dispose(bool disposing)
    {
        _disposed = true;
        base.Dispose(disposing);
    }
}
