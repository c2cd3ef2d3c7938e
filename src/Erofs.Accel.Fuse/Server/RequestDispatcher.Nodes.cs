using Erofs.Accel.Fuse.Protocol;

namespace Erofs.Accel.Fuse.Server;

internal sealed partial class RequestDispatcher
{
    private Errno HandleLookup(in FuseRequest request, ReplyBuilder reply)
    {
        if (!request.TryReadName(0, out var name)) return Errno.EINVAL;
        if (!TryGetInode(request, out var parent)) return Errno.ENOENT;
        var errno = _fileSystem.Lookup(parent, name, out var attributes);
        if (errno == Errno.ENOENT && (_timeouts.NegativeSeconds | _timeouts.NegativeNanoseconds) != 0)
        {
            // a zero node id with a timeout is a cacheable "no such name"
            ref var negative = ref reply.Append<FuseEntryOut>();
            negative.EntryValidSeconds = _timeouts.NegativeSeconds;
            negative.EntryValidNanoseconds = _timeouts.NegativeNanoseconds;
            return Errno.Success;
        }
        if (errno != Errno.Success) return errno;
        if (!_nodeIds.TryGetNodeId(attributes.Inode, out var nodeId)) return Errno.EOVERFLOW;
        AttributeEncoder.FillEntry(ref reply.Append<FuseEntryOut>(), nodeId, attributes, _timeouts);
        return Errno.Success;
    }

    private Errno HandleGetAttr(in FuseRequest request, ReplyBuilder reply)
    {
        if (!TryGetInode(request, out var inode)) return Errno.ENOENT;
        var errno = _fileSystem.GetAttributes(inode, out var attributes);
        if (errno != Errno.Success) return errno;
        ref var answer = ref reply.Append<FuseAttrOut>();
        answer.AttrValidSeconds = _timeouts.AttributeSeconds;
        answer.AttrValidNanoseconds = _timeouts.AttributeNanoseconds;
        AttributeEncoder.Fill(ref answer.Attr, attributes);
        return Errno.Success;
    }

    private Errno HandleReadLink(in FuseRequest request, ReplyBuilder reply)
    {
        if (!TryGetInode(request, out var inode)) return Errno.ENOENT;
        // the kernel reads a link target into one page and keeps the last byte for the terminator
        var limit = Math.Min(Math.Max(_initSettings.PageSize, 4096) - 1, reply.FreeCapacity);
        var destination = reply.GetFreeSpan()[..limit];
        var errno = _fileSystem.ReadLink(inode, destination, out var length);
        if (errno != Errno.Success) return errno;
        if (length > limit) return Errno.ENAMETOOLONG;
        if (length < 0) return Errno.EIO;
        reply.Advance(length);
        return Errno.Success;
    }

    private Errno HandleAccess(in FuseRequest request)
    {
        if (!request.TryReadStruct<FuseAccessIn>(out var access)) return Errno.EINVAL;
        if (!TryGetInode(request, out _)) return Errno.ENOENT;
        // permission bits are checked by the kernel (default_permissions); only writing is refused here
        return (access.Mask & AccessWriteBit) != 0 ? Errno.EROFS : Errno.Success;
    }

    private Errno HandleStatFs(ReplyBuilder reply)
    {
        var statistics = _fileSystem.GetStatistics();
        ref var answer = ref reply.Append<FuseStatFsOut>();
        answer.Blocks = statistics.TotalBlocks;
        answer.Files = statistics.TotalInodes;
        answer.BlockSize = statistics.BlockSize == 0 ? AttributeEncoder.DefaultBlockSize : statistics.BlockSize;
        answer.FragmentSize = answer.BlockSize;
        answer.NameLength = statistics.MaxNameLength == 0 ? 255 : statistics.MaxNameLength;
        return Errno.Success;
    }
}
