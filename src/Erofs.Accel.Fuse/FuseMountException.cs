namespace Erofs.Accel.Fuse;

/// <summary>
/// Mounting or unmounting failed. <see cref="Exception.Message"/> is one line fit for the user; nothing is left mounted
/// when <see cref="FuseServer.Mount"/> throws it.
/// </summary>
public sealed class FuseMountException : Exception
{
    /// <summary>A mount failure described by <paramref name="message"/>, with the errno behind it when there is one.</summary>
    public FuseMountException(string message, Errno errno = Errno.Success, Exception? inner = null)
        : base(message, inner)
    {
        Errno = errno;
    }

    /// <summary>The errno behind the failure, or <see cref="Errno.Success"/> when there is none.</summary>
    public Errno Errno { get; }
}
