using Erofs.Accel.Fuse.Protocol;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Erofs.Accel.Fuse.Server;

/// <summary>
/// Turns one request message into one reply in the worker's <see cref="ReplyBuilder"/>: checks sizes against the opcode
/// table, calls the filesystem, encodes the answer. Knows nothing of the device, so it runs on recorded bytes in tests.
/// A filesystem exception becomes EIO for that request and a log line.
/// </summary>
internal sealed partial class RequestDispatcher
{
    private const uint AccessWriteBit = 2;

    private readonly IReadOnlyFileSystem _fileSystem;
    private readonly NodeIdMap _nodeIds;
    private readonly CacheTimeouts _timeouts;
    private readonly InitSettings _initSettings;
    private readonly ILogger _logger;
    private NegotiatedSession? _session;
    private long _requests;
    private long _failures;

    public RequestDispatcher(IReadOnlyFileSystem fileSystem, InitSettings initSettings, CacheTimeouts timeouts, ILogger? logger = null)
    {
        _fileSystem = fileSystem;
        _nodeIds = new NodeIdMap(fileSystem.RootInode);
        _initSettings = initSettings;
        _timeouts = timeouts;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>Where READs that suggested a page-cache fill send it (null: such suggestions are ignored).</summary>
    public PageCachePrefiller? Prefiller { get; set; }

    /// <summary>How the filesystem's inode numbers map to the kernel's node ids.</summary>
    public NodeIdMap NodeIds => _nodeIds;

    /// <summary>The protocol agreed at INIT, or null before.</summary>
    public NegotiatedSession? Session => Volatile.Read(ref _session);

    /// <summary>Requests handled so far.</summary>
    public long RequestCount => Interlocked.Read(ref _requests);

    /// <summary>Requests whose handler threw something other than <see cref="FileSystemErrorException"/>.</summary>
    public long FailureCount => Interlocked.Read(ref _failures);

    /// <summary>Largest READ/READDIR payload a reply of this capacity can carry.</summary>
    public static int MaxPayload(ReplyBuilder reply) => reply.Capacity - FuseOutHeader.Size;

    public DispatchResult Dispatch(ReadOnlySpan<byte> message, WorkerContext context)
    {
        var reply = context.Reply;
        context.PendingPrefillCount = 0;
        var status = FuseRequest.TryParse(message, out var request);
        if (status != FuseParseStatus.Ok)
        {
            _logger.LogWarning("FUSE: dropped a malformed message of {Length} bytes ({Status})", message.Length, status);
            if (message.Length < FuseInHeader.Size) return DispatchResult.NoReply;
            reply.Begin(BitConverter.ToUInt64(message.Slice(8, 8)));
            reply.SetError(Errno.EIO);
            reply.Complete();
            return DispatchResult.Reply;
        }

        Interlocked.Increment(ref _requests);
        reply.Begin(request.Unique);
        var info = FuseOpcodeTable.Get(request.Opcode);
        var result = DispatchResult.Reply;
        if (info.Disposition == OpcodeDisposition.NoReply)
        {
            // FORGET and BATCH_FORGET: node ids are a pure function of inode numbers, there is no per-node state to
            // drop. INTERRUPT: requests are short and always answered. None of them may be answered.
            return DispatchResult.NoReply;
        }

        if (Session is null && request.Opcode != FuseOpcode.Init)
        {
            reply.SetError(Errno.EIO);
        }
        else if (request.Payload.Length < info.MinimumPayload)
        {
            _logger.LogWarning("FUSE: {Opcode} payload of {Length} bytes is below the minimum {Minimum}", info.Name, request.Payload.Length, info.MinimumPayload);
            reply.SetError(Errno.EINVAL);
        }
        else
        {
            switch (info.Disposition)
            {
                case OpcodeDisposition.NotImplemented:
                    reply.SetError(Errno.ENOSYS);
                    break;
                case OpcodeDisposition.ReadOnly:
                    reply.SetError(Errno.EROFS);
                    break;
                default:
                    result = HandleSafely(request, context, info);
                    break;
            }
        }
        reply.Complete();
        return result;
    }

    private DispatchResult HandleSafely(in FuseRequest request, WorkerContext context, in OpcodeInfo info)
    {
        var reply = context.Reply;
        try
        {
            var (errno, result) = Handle(request, context);
            if (errno != Errno.Success) reply.SetError(errno);
            return errno == Errno.Success ? result : DispatchResult.Reply;
        }
        catch (FileSystemErrorException e)
        {
            reply.SetError(e.Errno);
        }
        catch (Exception e)
        {
            Interlocked.Increment(ref _failures);
            _logger.LogError(e, "FUSE: {Opcode} on node {Node} failed: {Message}", info.Name, request.NodeId, e.Message);
            reply.SetError(Errno.EIO);
        }
        finally
        {
            context.ReadReply.Detach();
            context.Listing.Detach();
        }
        return DispatchResult.Reply;
    }

    private (Errno, DispatchResult) Handle(in FuseRequest request, WorkerContext context)
    {
        var reply = context.Reply;
        return request.Opcode switch
        {
            FuseOpcode.Init => HandleInit(request, reply),
            FuseOpcode.Destroy => (Errno.Success, DispatchResult.ReplySessionDestroyed),
            FuseOpcode.Lookup => (HandleLookup(request, reply), DispatchResult.Reply),
            FuseOpcode.GetAttr => (HandleGetAttr(request, reply), DispatchResult.Reply),
            FuseOpcode.ReadLink => (HandleReadLink(request, reply), DispatchResult.Reply),
            FuseOpcode.Open => (HandleOpen(request, reply, directory: false), DispatchResult.Reply),
            FuseOpcode.OpenDir => (HandleOpen(request, reply, directory: true), DispatchResult.Reply),
            FuseOpcode.Release or FuseOpcode.ReleaseDir => (Errno.Success, DispatchResult.Reply),
            FuseOpcode.Read => (HandleRead(request, context), DispatchResult.Reply),
            FuseOpcode.ReadDir => (HandleReadDirectory(request, context, withAttributes: false), DispatchResult.Reply),
            FuseOpcode.ReadDirPlus => (HandleReadDirectory(request, context, withAttributes: true), DispatchResult.Reply),
            FuseOpcode.GetXattr => (HandleGetXattr(request, reply), DispatchResult.Reply),
            FuseOpcode.ListXattr => (HandleListXattr(request, reply), DispatchResult.Reply),
            FuseOpcode.StatFs => (HandleStatFs(reply), DispatchResult.Reply),
            FuseOpcode.Access => (HandleAccess(request), DispatchResult.Reply),
            _ => (Errno.ENOSYS, DispatchResult.Reply),
        };
    }

    private bool TryGetInode(in FuseRequest request, out ulong inode) => _nodeIds.TryGetInode(request.NodeId, out inode);
}
