namespace Erofs.Accel.Core.Storage;

/// <summary>
/// The bytes of a seekable <see cref="Stream"/> (a FileStream, a MemoryStream, a decrypted or network-backed stream
/// that can seek). A stream has one position, so reads are serialised by a lock: concurrent readers of the image
/// wait for each other here. The length is taken once, when the source is made (an image does not grow).
/// </summary>
internal sealed class StreamSource : IRandomAccessSource
{
    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly Lock _gate = new();

    public StreamSource(Stream stream, bool leaveOpen)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanRead)
            throw new ArgumentException("the stream cannot be read (it is closed or write-only)", nameof(stream));
        if (!stream.CanSeek)
            throw new ArgumentException(
                $"the stream ({stream.GetType().Name}) cannot seek: an EROFS image is read at random offsets, so copy it into a file or a MemoryStream first",
                nameof(stream));
        _stream = stream;
        _leaveOpen = leaveOpen;
        Length = stream.Length;
        Description = stream is FileStream file ? file.Name : $"{stream.GetType().Name} of {Length} bytes";
    }

    public long Length { get; }
    public string Description { get; }

    public int Read(long offset, Span<byte> buffer)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        if (offset >= Length) return 0;
        if (buffer.Length > Length - offset) buffer = buffer[..(int)(Length - offset)];
        lock (_gate)
        {
            try
            {
                _stream.Position = offset;
                int total = 0;
                while (total < buffer.Length)
                {
                    int n = _stream.Read(buffer[total..]);
                    if (n <= 0) break;
                    total += n;
                }
                return total;
            }
            catch (IOException e)
            {
                throw new ErofsIoException($"{Description}: read failed: {e.Message}", offset, e);
            }
        }
    }

    public void Dispose()
    {
        if (!_leaveOpen) _stream.Dispose();
    }
}
