using Erofs.Accel.Fuse.Protocol;
using Erofs.Accel.Fuse.Server;
using Erofs.Accel.Fuse.Tests.TestSupport;

namespace Erofs.Accel.Fuse.Tests.Server;

/// <summary>What the dispatcher does independent of the filesystem: no-reply opcodes, EROFS, ENOSYS, bad sizes, INIT.</summary>
public sealed class DispatcherProtocolTests
{
    [Fact]
    public void ForgetBatchForgetInterruptAndNotifyReplyAreNeverAnswered()
    {
        using var harness = new DispatcherHarness();
        Assert.Equal(DispatchResult.NoReply, harness.Send(FuseMessages.Request(FuseOpcode.Forget, 50, 7, new FuseForgetIn { LookupCount = 3 })).Result);
        var batch = new byte[8 + 2 * 16];
        batch[0] = 2;
        Assert.Equal(DispatchResult.NoReply, harness.Send(FuseMessages.Request(FuseOpcode.BatchForget, 0, 0, batch)).Result);
        Assert.Equal(DispatchResult.NoReply, harness.Send(FuseMessages.Request(FuseOpcode.Interrupt, 52, 0, new FuseInterruptIn { Unique = 50 })).Result);
        Assert.Equal(DispatchResult.NoReply, harness.Send(FuseMessages.Request(FuseOpcode.NotifyReply, 53, 0, new byte[40])).Result);
        // even a truncated FORGET gets no answer
        Assert.Equal(DispatchResult.NoReply, harness.Send(FuseMessages.Request(FuseOpcode.Forget, 54, 7, new byte[3])).Result);
    }

    [Theory]
    [InlineData((uint)FuseOpcode.SetAttr)]
    [InlineData((uint)FuseOpcode.Write)]
    [InlineData((uint)FuseOpcode.Create)]
    [InlineData((uint)FuseOpcode.MakeDirectory)]
    [InlineData((uint)FuseOpcode.Unlink)]
    [InlineData((uint)FuseOpcode.SetXattr)]
    [InlineData((uint)FuseOpcode.Rename2)]
    public void WritesAnswerErofs(uint opcode)
    {
        using var harness = new DispatcherHarness();
        var reply = harness.Call((FuseOpcode)opcode, NodeIdMap.RootNodeId, new byte[128]);
        Assert.Equal(-(int)Errno.EROFS, reply.Error);
        Assert.Equal(16, reply.Bytes.Length);
    }

    [Theory]
    [InlineData((uint)FuseOpcode.Statx)]
    [InlineData((uint)FuseOpcode.Flush)]
    [InlineData((uint)FuseOpcode.LSeek)]
    [InlineData((uint)FuseOpcode.SyncFs)]
    [InlineData(53u)]
    [InlineData(99999u)]
    public void UnimplementedOpcodesAnswerEnosys(uint opcode)
    {
        using var harness = new DispatcherHarness();
        var reply = harness.Call((FuseOpcode)opcode, NodeIdMap.RootNodeId, new byte[64]);
        Assert.Equal(-(int)Errno.ENOSYS, reply.Error);
    }

    [Fact]
    public void ShortPayloadsAreEinval()
    {
        using var harness = new DispatcherHarness();
        Assert.Equal(-(int)Errno.EINVAL, harness.Call(FuseOpcode.Read, NodeIdMap.RootNodeId, new byte[39]).Error);
        Assert.Equal(-(int)Errno.EINVAL, harness.Call(FuseOpcode.GetAttr, NodeIdMap.RootNodeId, new byte[8]).Error);
        Assert.Equal(-(int)Errno.EINVAL, harness.Call(FuseOpcode.Lookup, NodeIdMap.RootNodeId, new byte[1]).Error);
        Assert.Equal(-(int)Errno.EINVAL, harness.Call(FuseOpcode.GetXattr, NodeIdMap.RootNodeId, new byte[9]).Error);
    }

    [Fact]
    public void MalformedMessagesGetEioWhenTheyHaveAHeader()
    {
        using var harness = new DispatcherHarness();
        var message = FuseMessages.Request(FuseOpcode.GetAttr, 0xABCDEF, 1, new byte[16]);
        message[0] = 200; // wrong length
        var (result, reply) = harness.Send(message);
        Assert.Equal(DispatchResult.Reply, result);
        Assert.Equal(-(int)Errno.EIO, reply!.Error);
        Assert.Equal(0xABCDEFUL, reply.Header.Unique);
        Assert.Equal(DispatchResult.NoReply, harness.Send(new byte[12]).Result);
    }

    [Fact]
    public void RequestsBeforeInitAreRefused()
    {
        using var harness = new DispatcherHarness(initialize: false);
        Assert.Null(harness.Dispatcher.Session);
        Assert.Equal(-(int)Errno.EIO, harness.Call(FuseOpcode.GetAttr, NodeIdMap.RootNodeId, new byte[16]).Error);
        var (result, init) = harness.Send(DispatcherHarness.KernelInit());
        Assert.Equal(DispatchResult.ReplySessionStarted, result);
        Assert.Equal(FuseInitOut.Size, init!.Body.Length);
        Assert.NotNull(harness.Dispatcher.Session);
        Assert.Equal(0, harness.Call(FuseOpcode.GetAttr, NodeIdMap.RootNodeId, new byte[16]).Error);
        // a second INIT is an error, the session stays
        Assert.Equal(-(int)Errno.EIO, harness.Call(DispatcherHarness.KernelInit()).Error);
    }

    [Fact]
    public void OldSixteenByteInitIsAccepted()
    {
        using var harness = new DispatcherHarness(initialize: false);
        var full = DispatcherHarness.KernelInit(minor: 31, flags: DispatcherHarness.KernelFlags & ~(1u << 30));
        var compat = FuseMessages.Request(FuseOpcode.Init, 1, 0, full.AsSpan(FuseInHeader.Size, FuseInitIn.CompatSize));
        var (result, reply) = harness.Send(compat);
        Assert.Equal(DispatchResult.ReplySessionStarted, result);
        Assert.Equal(31u, reply!.Read<FuseInitOut>().Minor);
    }

    [Fact]
    public void TooOldKernelGetsEproto()
    {
        using var harness = new DispatcherHarness(initialize: false);
        var (result, reply) = harness.Send(DispatcherHarness.KernelInit(minor: 12));
        Assert.Equal(DispatchResult.Reply, result);
        Assert.Equal(-(int)Errno.EPROTO, reply!.Error);
        Assert.Null(harness.Dispatcher.Session);
    }

    [Fact]
    public void DestroyIsAnsweredAndReported()
    {
        using var harness = new DispatcherHarness();
        var (result, reply) = harness.Send(FuseMessages.Request(FuseOpcode.Destroy, 9, 0, ReadOnlySpan<byte>.Empty));
        Assert.Equal(DispatchResult.ReplySessionDestroyed, result);
        Assert.Equal(0, reply!.Error);
    }

    [Fact]
    public void RepliesEchoTheRequestUnique()
    {
        using var harness = new DispatcherHarness();
        var reply = harness.Call(FuseMessages.Request(FuseOpcode.GetAttr, 0x0102030405060708, 1, new byte[16]));
        Assert.Equal(0x0102030405060708UL, reply.Header.Unique);
    }
}
