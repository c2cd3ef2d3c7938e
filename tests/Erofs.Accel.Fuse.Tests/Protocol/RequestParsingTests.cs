using Erofs.Accel.Fuse.Protocol;
using Erofs.Accel.Fuse.Tests.TestSupport;

namespace Erofs.Accel.Fuse.Tests.Protocol;

public sealed class RequestParsingTests
{
    [Fact]
    public void SplitsHeaderAndPayload()
    {
        var message = FuseMessages.Request(FuseOpcode.Lookup, 77, 1, FuseMessages.Name("files"));
        Assert.Equal(FuseParseStatus.Ok, FuseRequest.TryParse(message, out var request));
        Assert.Equal(FuseOpcode.Lookup, request.Opcode);
        Assert.Equal(77UL, request.Unique);
        Assert.Equal(1UL, request.NodeId);
        Assert.Equal(4242u, request.Header.ProcessId);
        Assert.True(request.TryReadName(0, out var name));
        Assert.True(name.SequenceEqual("files"u8));
    }

    [Fact]
    public void RejectsMessagesWhoseLengthsDisagree()
    {
        Assert.Equal(FuseParseStatus.TooShortForHeader, FuseRequest.TryParse(new byte[39], out _));
        var message = FuseMessages.Request(FuseOpcode.GetAttr, 1, 1, new byte[16]);
        Assert.Equal(FuseParseStatus.LengthMismatch, FuseRequest.TryParse(message.AsSpan(0, message.Length - 1), out _));
        var padded = new byte[message.Length + 8];
        message.CopyTo(padded, 0);
        Assert.Equal(FuseParseStatus.LengthMismatch, FuseRequest.TryParse(padded, out _));
    }

    [Fact]
    public void RequestExtensionsAreCutOffThePayload()
    {
        var message = FuseMessages.Request(FuseOpcode.Lookup, 1, 1, [.. FuseMessages.Name("abc"), 0, 0, 0, 0, .. new byte[16]]);
        message[36] = 2; // total_extlen: 2 * 8 bytes of extensions at the end
        Assert.Equal(FuseParseStatus.Ok, FuseRequest.TryParse(message, out var request));
        Assert.Equal(8, request.Payload.Length);
        message[36] = 200;
        Assert.Equal(FuseParseStatus.ExtensionsTooLong, FuseRequest.TryParse(message, out _));
    }

    [Fact]
    public void NamesNeedATerminatorInsideThePayload()
    {
        var unterminated = FuseMessages.Request(FuseOpcode.Lookup, 1, 1, "abc"u8);
        FuseRequest.TryParse(unterminated, out var request);
        Assert.False(request.TryReadName(0, out _));

        var empty = FuseMessages.Request(FuseOpcode.Lookup, 1, 1, [0, 0]);
        FuseRequest.TryParse(empty, out request);
        Assert.False(request.TryReadName(0, out _));
        Assert.False(request.TryReadName(5, out _));
        Assert.False(request.TryReadName(-1, out _));
    }

    [Fact]
    public void StructsShorterThanThePayloadAreNotRead()
    {
        var message = FuseMessages.Request(FuseOpcode.Read, 1, 1, new byte[39]);
        FuseRequest.TryParse(message, out var request);
        Assert.False(request.TryReadStruct<FuseReadIn>(out _));
        Assert.True(request.TryReadStruct<FuseOpenIn>(out _));
    }
}
