namespace Erofs.Accel.Fuse.Server;

/// <summary>Sees every raw request and reply (used to record kernel traffic for protocol tests).</summary>
internal interface IMessageTap
{
    void OnRequest(ReadOnlySpan<byte> message);

    void OnReply(ReadOnlySpan<byte> request, byte[] reply);
}
