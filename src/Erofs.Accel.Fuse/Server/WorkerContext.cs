using Erofs.Accel.Fuse.Protocol;

namespace Erofs.Accel.Fuse.Server;

/// <summary>What one worker owns: a pinned request buffer and a reply builder, plus the reusable sinks handed to the
/// filesystem. Pooled, so a worker that ends gives its buffers to the next.</summary>
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

    public void Dispose() => Reply.Dispose();
}
