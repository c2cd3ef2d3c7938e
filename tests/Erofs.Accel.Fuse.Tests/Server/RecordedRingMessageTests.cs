using Erofs.Accel.Fuse.Server;
using Erofs.Accel.Fuse.Tests.TestSupport;
using Erofs.Accel.Fuse.Tests.Transport;
using Erofs.Accel.Fuse.Transport;

namespace Erofs.Accel.Fuse.Tests.Server;

/// <summary>
/// The recorded kernel requests as an io_uring entry carries them (header in in_out, the first argument in op_in, the
/// rest in the payload buffer): rebuilt, they are the /dev/fuse message byte for byte, and the reply gathered into the
/// entry's payload buffer is the reply /dev/fuse would have written.
/// </summary>
public sealed class RecordedRingMessageTests
{
    private static string RecordedDirectory => Path.Combine(AppContext.BaseDirectory, "Recorded");

    public static TheoryData<string> RecordedRequests()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(RecordedDirectory, "*.request.hex").Order(StringComparer.Ordinal))
            data.Add(Path.GetFileName(file)[..^".request.hex".Length]);
        return data;
    }

    private static byte[] Load(string name) => FuseMessages.FromHex(File.ReadAllText(Path.Combine(RecordedDirectory, $"{name}.request.hex")));

    [Theory]
    [MemberData(nameof(RecordedRequests))]
    public void EverySplitRebuildsTheDevFuseMessage(string name)
    {
        var message = Load(name);
        var payloadBytes = message.Length - 40;
        foreach (var argument in new[] { 0, 8, 16, 24, 40, 64, 128 }.Where(a => a <= payloadBytes).Append(Math.Min(payloadBytes, 128)).Distinct())
        {
            var (inHeader, operationIn, payload, payloadSize) = FuseUringChannelTests.Split(message, argument);
            var destination = new byte[FuseServer.RequestBufferSize];
            Assert.Equal(FuseUringRequestStatus.Ok, FuseUringChannel.AssembleRequest(inHeader, operationIn, payload, payloadSize, destination));
            Assert.Equal(Convert.ToHexString(message), Convert.ToHexString(destination.AsSpan(0, message.Length)));
        }
    }

    [Theory]
    [MemberData(nameof(RecordedRequests))]
    public void GatheredRingReplyEqualsTheDevFuseReply(string name)
    {
        using var classic = new DispatcherHarness(initialize: name != "init");
        using var ring = new DispatcherHarness(initialize: name != "init");
        var message = Load(name);
        var (classicResult, classicReply) = classic.Send(message);

        var result = ring.Dispatcher.Dispatch(message, ring.Context);
        Assert.Equal(classicResult, result);
        if (result == DispatchResult.NoReply) return;
        var reply = ring.Context.Reply;
        var bodyLength = reply.GatherBody();
        var gathered = reply.ToArray();
        Assert.Single(reply.Segments.ToArray());
        Assert.Equal(16 + bodyLength, gathered.Length);
        Assert.Equal(Convert.ToHexString(classicReply!.Bytes), Convert.ToHexString(gathered));
    }
}
