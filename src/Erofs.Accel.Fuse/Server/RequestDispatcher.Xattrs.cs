using Erofs.Accel.Fuse.Protocol;

namespace Erofs.Accel.Fuse.Server;

internal sealed partial class RequestDispatcher
{
    /// <summary>XATTR_SIZE_MAX: the largest value or list the VFS passes through.</summary>
    private const int MaxXattrSize = 65536;

    private Errno HandleGetXattr(in FuseRequest request, ReplyBuilder reply)
    {
        if (!request.TryReadStruct<FuseGetXattrIn>(out var query)) return Errno.EINVAL;
        if (!request.TryReadName(FuseGetXattrIn.Size, out var name)) return Errno.EINVAL;
        if (!TryGetInode(request, out var inode)) return Errno.ENOENT;
        var room = SizedRoom(reply, query.Length);
        var errno = _fileSystem.GetExtendedAttribute(inode, name, reply.GetFreeSpan()[..room], out var length);
        return FinishSized(reply, query.Length, room, errno, length);
    }

    private Errno HandleListXattr(in FuseRequest request, ReplyBuilder reply)
    {
        if (!request.TryReadStruct<FuseGetXattrIn>(out var query)) return Errno.EINVAL;
        if (!TryGetInode(request, out var inode)) return Errno.ENOENT;
        var room = SizedRoom(reply, query.Length);
        var caller = new RequestCaller(request.Header.UserId, request.Header.GroupId, request.Header.ProcessId);
        var errno = _fileSystem.ListExtendedAttributes(inode, caller, reply.GetFreeSpan()[..room], out var length);
        return FinishSized(reply, query.Length, room, errno, length);
    }

    /// <summary>Room offered to the filesystem: nothing for a size probe (request size 0).</summary>
    private static int SizedRoom(ReplyBuilder reply, uint requested) =>
        (int)Math.Min(Math.Min(requested, (uint)MaxXattrSize), (uint)reply.FreeCapacity);

    /// <summary>
    /// The getxattr/listxattr convention: a request size of 0 asks for the length only (fuse_getxattr_out); otherwise
    /// the data, or ERANGE when it does not fit.
    /// </summary>
    private static Errno FinishSized(ReplyBuilder reply, uint requested, int room, Errno errno, int length)
    {
        if (errno != Errno.Success) return errno;
        if (length < 0) return Errno.EIO;
        if (requested == 0)
        {
            reply.Append<FuseGetXattrOut>().Length = (uint)length;
            return Errno.Success;
        }
        if (length > room) return length > MaxXattrSize ? Errno.E2BIG : Errno.ERANGE;
        reply.Advance(length);
        return Errno.Success;
    }
}
