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
    public ErofsErrorKind Kind { get; }
    public long? Offset { get; }
    public ulong? Nid { get; }

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
    public ErofsCorruptImageException(string message, long? offset = null, ulong? nid = null, Exception? inner = null)
        : base(ErofsErrorKind.Corrupt, message, offset, nid, inner) { }
}

/// <summary>The image needs a feature this reader does not support (named in the message).</summary>
public sealed class ErofsUnsupportedFeatureException : ErofsException
{
    public ErofsUnsupportedFeatureException(string message, long? offset = null, ulong? nid = null)
        : base(ErofsErrorKind.Unsupported, message, offset, nid) { }
}

/// <summary>A path, directory entry or xattr does not exist, or the inode has the wrong type for the operation.</summary>
public sealed class ErofsNotFoundException : ErofsException
{
    public ErofsNotFoundException(string message, ErofsErrorKind kind = ErofsErrorKind.NotFound, ulong? nid = null)
        : base(kind, message, null, nid) { }
}

/// <summary>The storage under the image (file, device) failed or ended early.</summary>
public sealed class ErofsIoException : ErofsException
{
    public ErofsIoException(string message, long? offset = null, Exception? inner = null)
        : base(ErofsErrorKind.Io, message, offset, null, inner) { }
}
