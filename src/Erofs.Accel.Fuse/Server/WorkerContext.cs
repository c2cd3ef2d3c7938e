using Erofs.Accel.Fuse.Protocol;
using Erofs.Accel.Fuse.Transport;

namespace Erofs.Accel.Fuse.Server;

/// <summary>What one worker owns: a pinned request buffer and a reply builder, plus the reusable sinks handed to the
/// filesystem, and (classic transport) its own descriptor on the connection. Pooled, so a worker that ends gives its
/// buffers to the next.</summary>
internal sealed class WorkerContext : IDisposable
{
    public WorkerContext(int requestBufferSize, int replyBufferSize)
    {
        RequestBuffer = GC.AllocateUninitializedArray<byte>(requestBufferSize, pinned: true);
        Reply = new ReplyBuilder(replyBufferSize);
    }

    public byte[] RequestBuffer { get; }

    public ReplyBuilder Reply { get; }

    public ReadReply ReadReply { get; } = new();

    public DirectoryListing Listing { get; } = new();

    /// <summary>A page-cache window to hand to the prefiller once the reply is written (see <see cref="HasPendingPrefill"/>).</summary>
    public PageCachePrefiller.Window PendingPrefill { get; set; }

    /// <summary>True when the request just handled left <see cref="PendingPrefill"/> to queue.</summary>
    public bool HasPendingPrefill { get; set; }

    /// <summary>The worker's clone of the /dev/fuse descriptor (classic transport), or null to use the session's.</summary>
    public FuseDevice? Device { get; set; }

    public void Dispose()
    {
        Reply.Dispose();
        Device?.Dispose();
    }
}
