namespace Erofs.Accel.Format;

/// <summary>What kind of failure an <see cref="ErofsException"/> reports; maps onto errno for FUSE.</summary>
public enum ErofsErrorKind
{
    /// <summary>The image contradicts the format (EUCLEAN / EIO).</summary>
    Corrupt,
    /// <summary>The image uses something this reader does not implement, or refuses on purpose (EOPNOTSUPP).</summary>
    Unsupported,
    /// <summary>No such path, entry or xattr (ENOENT / ENODATA).</summary>
    NotFound,
    /// <summary>A path component is not a directory (ENOTDIR).</summary>
    NotADirectory,
    /// <summary>The operation needs a non-directory (EISDIR).</summary>
    IsADirectory,
    /// <summary>The operation needs a symlink (EINVAL for readlink).</summary>
    NotASymlink,
    /// <summary>Reading the underlying storage failed (EIO).</summary>
    Io,
}

/// <summary>
/// Base of every error the EROFS reader raises. Carries the kind, and where known the byte offset in the image
/// (or device) and the nid of the inode involved.
/// </summary>
public class ErofsException : Exception
{
    /// <summary>What kind of failure this is; maps onto an errno for FUSE replies.</summary>
    public ErofsErrorKind Kind { get; }
    /// <summary>Byte offset in the image or device where the problem was found, when known.</summary>
    public long? Offset { get; }
    /// <summary>Nid of the inode involved, when known.</summary>
    public ulong? Nid { get; }

    /// <summary>An error of <paramref name="kind"/>; the message gets the nid and offset appended when given.</summary>
    public ErofsException(ErofsErrorKind kind, string message, long? offset = null, ulong? nid = null, Exception? inner = null)
        : base(Describe(message, offset, nid), inner)
    {
        Kind = kind;
        Offset = offset;
        Nid = nid;
    }

    private static string Describe(string message, long? offset, ulong? nid)
    {
        if (offset is null && nid is null) return message;
        var where = new List<string>(2);
        if (nid is { } n) where.Add($"nid {FormatNid(n)}");
        if (offset is { } o) where.Add($"offset {o} (0x{o:x})");
        return $"{message} [{string.Join(", ", where)}]";
    }

    /// <summary>Nids with the metabox bit are shown as "metabox:N".</summary>
    public static string FormatNid(ulong nid) =>
        (nid & ErofsConstants.MetaboxNidBit) != 0 ? $"metabox:{nid & ~ErofsConstants.MetaboxNidBit}" : nid.ToString();
}

/// <summary>The image is malformed: a field is out of range, a structure points outside the image, a chain loops.</summary>
public sealed class ErofsCorruptImageException : ErofsException
{
    /// <summary>A corruption found at <paramref name="offset"/> (bytes) and/or in inode <paramref name="nid"/>.</summary>
    public ErofsCorruptImageException(string message, long? offset = null, ulong? nid = null, Exception? inner = null)
        : base(ErofsErrorKind.Corrupt, message, offset, nid, inner) { }
}

/// <summary>The image needs a feature this reader does not support (named in the message).</summary>
public sealed class ErofsUnsupportedFeatureException : ErofsException
{
    /// <summary>A feature of the image, named in <paramref name="message"/>, that this reader does not implement.</summary>
    public ErofsUnsupportedFeatureException(string message, long? offset = null, ulong? nid = null)
        : base(ErofsErrorKind.Unsupported, message, offset, nid) { }
}

/// <summary>
/// A path, directory entry or xattr does not exist (<see cref="ErofsException.Kind"/> is
/// <see cref="ErofsErrorKind.NotFound"/>), or the node has the wrong type for the operation
/// (<see cref="ErofsErrorKind.NotADirectory"/>, <see cref="ErofsErrorKind.IsADirectory"/>,
/// <see cref="ErofsErrorKind.NotASymlink"/>). The image itself is fine: the caller asked for something it does not hold.
/// </summary>
public sealed class ErofsNotFoundException : ErofsException
{
    /// <summary>A missing path or entry (<see cref="ErofsErrorKind.NotFound"/>), or a type mismatch given by <paramref name="kind"/>.</summary>
    public ErofsNotFoundException(string message, ErofsErrorKind kind = ErofsErrorKind.NotFound, ulong? nid = null)
        : base(kind, message, null, nid) { }
}

/// <summary>The storage under the image (file, device) failed or ended early.</summary>
public sealed class ErofsIoException : ErofsException
{
    /// <summary>A storage failure at <paramref name="offset"/> (bytes), wrapping the <paramref name="inner"/> I/O error when there is one.</summary>
    public ErofsIoException(string message, long? offset = null, Exception? inner = null)
        : base(ErofsErrorKind.Io, message, offset, null, inner) { }
}
