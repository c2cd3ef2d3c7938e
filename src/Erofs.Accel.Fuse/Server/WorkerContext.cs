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

    /// <summary>Page-cache windows to hand to the prefiller once the reply is written: the first <see cref="PendingPrefillCount"/>.</summary>
    public PageCachePrefiller.Window[] PendingPrefills { get; } = new PageCachePrefiller.Window[ReadReply.MaxOtherFileSuggestions + 1];

    /// <summary>How many of <see cref="PendingPrefills"/> the request just handled left to queue.</summary>
    public int PendingPrefillCount { get; set; }

    /// <summary>The worker's clone of the /dev/fuse descriptor (classic transport), or null to use the session's.</summary>
    public FuseDevice? Device { get; set; }

    public void Dispose()
    {
        Reply.Dispose();
        Device?.Dispose();
    }
}
