namespace Erofs.Accel.Fuse;

/// <summary>
/// Linux errno values a filesystem can answer with. <see cref="Success"/> (0) means the operation worked.
/// The numbers are the kernel's; the server sends them negated in the reply header.
/// </summary>
public enum Errno
{
    Success = 0,
    EPERM = 1,
    ENOENT = 2,
    EINTR = 4,
    EIO = 5,
    E2BIG = 7,
    EBADF = 9,
    EAGAIN = 11,
    ENOMEM = 12,
    EACCES = 13,
    EBUSY = 16,
    EEXIST = 17,
    ENODEV = 19,
    ENOTDIR = 20,
    EISDIR = 21,
    EINVAL = 22,
    ENOTTY = 25,
    EFBIG = 27,
    EROFS = 30,
    ERANGE = 34,
    ENAMETOOLONG = 36,
    ENOSYS = 38,
    ELOOP = 40,
    ENODATA = 61,
    ETIME = 62,
    EPROTO = 71,
    EOVERFLOW = 75,
    EOPNOTSUPP = 95,
    ECONNABORTED = 103,
    ENOTCONN = 107,
    ESTALE = 116,
    ECANCELED = 125,
}
