using Erofs.Accel.Fuse.Protocol;

namespace Erofs.Accel.Fuse.Server;

internal sealed partial class RequestDispatcher
{
    private const uint AccessModeMask = 3;
    private const uint OpenTruncate = 0x200;

    private Errno HandleOpen(in FuseRequest request, ReplyBuilder reply, bool directory)
    {
        var session = Session!;
        // zero-message open: ENOSYS makes the kernel stop sending OPEN/OPENDIR and treat files as cached
        if (directory ? session.NoOpenDir : session.NoOpen) return Errno.ENOSYS;
        if (!request.TryReadStruct<FuseOpenIn>(out var open)) return Errno.EINVAL;
        if (!TryGetInode(request, out _)) return Errno.ENOENT;
        if ((open.Flags & AccessModeMask) != 0 || (open.Flags & OpenTruncate) != 0) return Errno.EROFS;
        ref var answer = ref reply.Append<FuseOpenOut>();
        answer.OpenFlags = directory ? FuseOpenReplyFlags.KeepCache | FuseOpenReplyFlags.CacheDir : FuseOpenReplyFlags.KeepCache;
        return Errno.Success;
    }

    private Errno HandleRead(in FuseRequest request, WorkerContext context)
    {
        if (!request.TryReadStruct<FuseReadIn>(out var read)) return Errno.EINVAL;
        if (!TryGetInode(request, out var inode)) return Errno.ENOENT;
        if (read.Offset > long.MaxValue) return Errno.EINVAL;
        if (read.Length > (uint)MaxPayload(context.Reply)) return Errno.EIO;
        if (read.Length == 0) return Errno.Success;
        var sink = context.ReadReply;
        sink.Attach(context.Reply, (int)read.Length);
        var errno = _fileSystem.Read(inode, (long)read.Offset, (int)read.Length, sink);
        if (errno == Errno.Success && Prefiller is { } prefiller) PlanPrefills(prefiller, request.NodeId, inode, (long)read.Offset, sink, context);
        return errno;
    }

    /// <summary>The page-cache windows the filesystem suggested during a READ, left in the context for <see cref="AfterReply"/>.</summary>
    private void PlanPrefills(PageCachePrefiller prefiller, ulong nodeId, ulong inode, long readOffset, ReadReply sink, WorkerContext context)
    {
        var windows = context.PendingPrefills;
        int count = 0;
        if (sink.PrefillLength > 0 && prefiller.TryPlan(nodeId, inode, readOffset, sink.Length, sink.PrefillOffset, sink.PrefillLength, out var window))
            windows[count++] = window;
        foreach (var (other, offset, length) in sink.OtherFileSuggestions)
        {
            if (count == windows.Length) break;
            if (_nodeIds.TryGetNodeId(other, out var otherNode) && prefiller.TryPlanWhole(otherNode, other, offset, length, out window))
                windows[count++] = window;
        }
        context.PendingPrefillCount = count;
    }

    /// <summary>
    /// Called by the transports once a reply is on its way: hands the page-cache windows the request left (if any) to
    /// the prefiller, which stores them on its own thread.
    /// </summary>
    public void AfterReply(WorkerContext context)
    {
        int count = context.PendingPrefillCount;
        if (count == 0) return;
        context.PendingPrefillCount = 0;
        var prefiller = Prefiller;
        if (prefiller is null) return;
        for (int i = 0; i < count; i++) prefiller.TryEnqueue(context.PendingPrefills[i]);
    }

    private Errno HandleReadDirectory(in FuseRequest request, WorkerContext context, bool withAttributes)
    {
        if (!request.TryReadStruct<FuseReadIn>(out var read)) return Errno.EINVAL;
        if (!TryGetInode(request, out var inode)) return Errno.ENOENT;
        if (read.Offset > long.MaxValue) return Errno.EINVAL;
        var capacity = (int)Math.Min(read.Length, (uint)MaxPayload(context.Reply));
        var listing = context.Listing;
        listing.Attach(context.Reply, capacity, withAttributes, _fileSystem, _nodeIds, _timeouts);
        return _fileSystem.ReadDirectory(inode, (long)read.Offset, listing);
    }
}
