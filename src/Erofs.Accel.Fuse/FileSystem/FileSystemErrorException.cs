namespace Erofs.Accel.Fuse;

/// <summary>
/// Thrown by a filesystem to answer the current request with an errno; the server replies with it and logs nothing.
/// Any other exception becomes EIO plus a log line.
/// </summary>
public sealed class FileSystemErrorException : Exception
{
    public FileSystemErrorException(Errno errno, string? message = null)
        : base(message ?? $"filesystem error {errno}")
    {
        if (errno == Errno.Success) throw new ArgumentOutOfRangeException(nameof(errno), "an error needs a non-zero errno");
        Errno = errno;
    }

    public Errno Errno { get; }
}
