namespace Erofs.Accel.Fuse;

/// <summary>
/// Thrown by a filesystem to answer the current request with an errno; the server replies with it and logs nothing.
/// Any other exception becomes EIO plus a log line.
/// </summary>
public sealed class FileSystemErrorException : Exception
{
    /// <summary>An error to answer the current request with <paramref name="errno"/> (never <see cref="Errno.Success"/>).</summary>
    public FileSystemErrorException(Errno errno, string? message = null)
        : base(message ?? $"filesystem error {errno}")
    {
        if (errno == Errno.Success) throw new ArgumentOutOfRangeException(nameof(errno), "an error needs a non-zero errno");
        Errno = errno;
    }

    /// <summary>The errno the request is answered with.</summary>
    public Errno Errno { get; }
}
