namespace Erofs.Accel.Fuse;

/// <summary>
/// Linux errno values a filesystem can answer with. <see cref="Success"/> (0) means the operation worked.
/// The numbers are the kernel's; the server sends them negated in the reply header.
/// </summary>
public enum Errno
{
    /// <summary>No error.</summary>
    Success = 0,
    /// <summary>Operation not permitted.</summary>
    EPERM = 1,
    /// <summary>No such file or directory.</summary>
    ENOENT = 2,
    /// <summary>Interrupted (the request was interrupted by the kernel).</summary>
    EINTR = 4,
    /// <summary>Input/output error (also: corrupt data).</summary>
    EIO = 5,
    /// <summary>Argument list too long (an xattr list larger than the kernel's buffer).</summary>
    E2BIG = 7,
    /// <summary>Bad file handle.</summary>
    EBADF = 9,
    /// <summary>Try again.</summary>
    EAGAIN = 11,
    /// <summary>Out of memory.</summary>
    ENOMEM = 12,
    /// <summary>Permission denied.</summary>
    EACCES = 13,
    /// <summary>Device or resource busy.</summary>
    EBUSY = 16,
    /// <summary>File exists.</summary>
    EEXIST = 17,
    /// <summary>No such device (/dev/fuse missing).</summary>
    ENODEV = 19,
    /// <summary>Not a directory.</summary>
    ENOTDIR = 20,
    /// <summary>Is a directory.</summary>
    EISDIR = 21,
    /// <summary>Invalid argument.</summary>
    EINVAL = 22,
    /// <summary>Inappropriate ioctl for device.</summary>
    ENOTTY = 25,
    /// <summary>File too large.</summary>
    EFBIG = 27,
    /// <summary>Read-only file system.</summary>
    EROFS = 30,
    /// <summary>Result too large for the caller's buffer (xattr values and lists).</summary>
    ERANGE = 34,
    /// <summary>File name too long.</summary>
    ENAMETOOLONG = 36,
    /// <summary>Function not implemented (an opcode the filesystem does not handle).</summary>
    ENOSYS = 38,
    /// <summary>Too many levels of symbolic links.</summary>
    ELOOP = 40,
    /// <summary>No such attribute (xattr lookups).</summary>
    ENODATA = 61,
    /// <summary>Timer expired.</summary>
    ETIME = 62,
    /// <summary>Protocol error (a malformed FUSE message).</summary>
    EPROTO = 71,
    /// <summary>Value too large for its data type.</summary>
    EOVERFLOW = 75,
    /// <summary>Operation not supported.</summary>
    EOPNOTSUPP = 95,
    /// <summary>Connection aborted (the FUSE connection was aborted).</summary>
    ECONNABORTED = 103,
    /// <summary>Not connected (the mount is gone).</summary>
    ENOTCONN = 107,
    /// <summary>Stale file handle (an inode the filesystem no longer knows).</summary>
    ESTALE = 116,
    /// <summary>Operation canceled.</summary>
    ECANCELED = 125,
}
