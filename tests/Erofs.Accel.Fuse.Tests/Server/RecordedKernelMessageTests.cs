using System.Text;
using Erofs.Accel.Fuse.Protocol;
using Erofs.Accel.Fuse.Server;
using Erofs.Accel.Fuse.TestHost;
using Erofs.Accel.Fuse.Tests.TestSupport;

namespace Erofs.Accel.Fuse.Tests.Server;

/// <summary>
/// Requests recorded from a real kernel (Linux 6.18, FUSE 7.45; see Recorded/README.md): the parser reads them as the
/// kernel meant them, and the dispatcher answers them with exactly the bytes the kernel accepted back then.
/// </summary>
public sealed class RecordedKernelMessageTests
{
    public static TheoryData<string> RecordedWithReplies()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(RecordedDirectory, "*.reply.hex").Order(StringComparer.Ordinal))
            data.Add(Path.GetFileName(file)[..^".reply.hex".Length]);
        return data;
    }

    private static string RecordedDirectory => Path.Combine(AppContext.BaseDirectory, "Recorded");

    private static byte[] Load(string name, string kind) =>
        FuseMessages.FromHex(File.ReadAllText(Path.Combine(RecordedDirectory, $"{name}.{kind}.hex")));

    /// <summary>
    /// The options the messages were recorded with: the default then was to let the kernel choose between READDIR and
    /// READDIRPLUS, a flag in the recorded INIT reply.
    /// </summary>
    private static FuseServerOptions RecordedOptions => new() { MountPoint = "/unused", ReadDirPlusAuto = true };

    private static DispatcherHarness HarnessInitialisedByTheRecordedInit()
    {
        var harness = new DispatcherHarness(RecordedOptions, initialize: false);
        var (result, _) = harness.Send(Load("init", "request"));
        Assert.Equal(DispatchResult.ReplySessionStarted, result);
        return harness;
    }

    [Theory]
    [MemberData(nameof(RecordedWithReplies))]
    public void ReplyIsByteForByteWhatTheKernelAccepted(string name)
    {
        using var harness = name == "init" ? new DispatcherHarness(RecordedOptions, initialize: false) : HarnessInitialisedByTheRecordedInit();
        var (_, reply) = harness.Send(Load(name, "request"));
        Assert.NotNull(reply);
        Assert.Equal(Convert.ToHexString(Load(name, "reply")), Convert.ToHexString(reply.Bytes));
    }

    [Fact]
    public void InitFromTheKernel()
    {
        var message = Load("init", "request");
        Assert.Equal(FuseParseStatus.Ok, FuseRequest.TryParse(message, out var request));
        Assert.Equal(FuseOpcode.Init, request.Opcode);
        Assert.True(request.TryReadStruct<FuseInitIn>(out var init));
        Assert.Equal(7u, init.Major);
        Assert.Equal(45u, init.Minor);
        Assert.Equal(128u * 1024, init.MaxReadahead);
        Assert.NotEqual(0u, init.Flags & (uint)FuseInitFlags.InitExtended);
        Assert.NotEqual(0u, init.Flags & (uint)FuseInitFlags.MaxPages);

        var reply = new ParsedReply(Load("init", "reply"));
        var answer = reply.Read<FuseInitOut>();
        Assert.Equal(38u, answer.Minor);
        Assert.Equal(256, answer.MaxPages);
    }

    [Theory]
    [InlineData("lookup-files", 1UL, "files")]
    [InlineData("lookup-with-space", 0UL, "with space")]
    [InlineData("lookup-missing", 1UL, "nonexistent")]
    public void LookupNamesAreParsed(string name, ulong expectedParent, string expectedName)
    {
        FuseRequest.TryParse(Load(name, "request"), out var request);
        Assert.Equal(FuseOpcode.Lookup, request.Opcode);
        if (expectedParent != 0) Assert.Equal(expectedParent, request.NodeId);
        Assert.True(request.TryReadName(0, out var parsed));
        Assert.Equal(expectedName, Encoding.UTF8.GetString(parsed));
    }

    [Fact]
    public void LookupOfAMissingNameWasANegativeEntry()
    {
        var reply = new ParsedReply(Load("lookup-missing", "reply"));
        Assert.Equal(0, reply.Error);
        Assert.Equal(0UL, reply.Read<FuseEntryOut>().NodeId);
    }

    [Fact]
    public void ReadRequestsAreParsedAndAnsweredWithTheFilesBytes()
    {
        using var harness = HarnessInitialisedByTheRecordedInit();
        foreach (var name in new[] { "read-16k", "read-512k" })
        {
            FuseRequest.TryParse(Load(name, "request"), out var request);
            Assert.Equal(FuseOpcode.Read, request.Opcode);
            Assert.True(request.TryReadStruct<FuseReadIn>(out var read));
            Assert.True(read.Length is 16384 or 524288);
            var (_, reply) = harness.Send(Load(name, "request"));
            Assert.NotNull(reply);
            Assert.Equal(0, reply.Error);
            Assert.True(harness.Dispatcher.Session is not null);
            // node ids are inode + 2 for everything but the root
            var inode = request.NodeId - 2;
            Assert.True(reply.Body.SequenceEqual(SyntheticContent.Range(inode, (long)read.Offset, reply.Body.Length)));
        }
    }

    [Fact]
    public void ReadDirRequestsUseLargePages()
    {
        FuseRequest.TryParse(Load("readdir-many", "request"), out var request);
        Assert.Equal(FuseOpcode.ReadDir, request.Opcode);
        Assert.True(request.TryReadStruct<FuseReadIn>(out var read));
        Assert.Equal(32768u, read.Length);
        Assert.Equal(195UL, read.Offset);

        using var harness = HarnessInitialisedByTheRecordedInit();
        var (_, reply) = harness.Send(Load("readdir-many", "request"));
        var records = DirectoryReplyReader.Decode(reply!.Body, plus: false);
        Assert.Equal("entry-00193", records[0].Name);
        Assert.Equal(196UL, records[0].NextOffset);
    }

    [Fact]
    public void StatxIsAnsweredEnosys()
    {
        FuseRequest.TryParse(Load("statx", "request"), out var request);
        Assert.Equal(FuseOpcode.Statx, request.Opcode);
        Assert.Equal(-(int)Errno.ENOSYS, new ParsedReply(Load("statx", "reply")).Error);
    }

    [Fact]
    public void BatchForgetIsParsedAndNotAnswered()
    {
        var message = Load("batch-forget", "request");
        Assert.Equal(FuseParseStatus.Ok, FuseRequest.TryParse(message, out var request));
        Assert.Equal(FuseOpcode.BatchForget, request.Opcode);
        Assert.True(request.TryReadStruct<FuseBatchForgetIn>(out var batch));
        Assert.Equal(FuseBatchForgetIn.Size + (int)batch.Count * FuseForgetOne.Size, request.Payload.Length);
        Assert.False(File.Exists(Path.Combine(RecordedDirectory, "batch-forget.reply.hex")));
        using var harness = HarnessInitialisedByTheRecordedInit();
        Assert.Equal(DispatchResult.NoReply, harness.Send(message).Result);
    }

    [Fact]
    public void XattrRequestsAreParsed()
    {
        FuseRequest.TryParse(Load("getxattr-blob", "request"), out var request);
        Assert.True(request.TryReadStruct<FuseGetXattrIn>(out var query));
        Assert.Equal(512u, query.Length); // getfattr offers a larger buffer than the 300-byte value
        Assert.True(request.TryReadName(FuseGetXattrIn.Size, out var name));
        Assert.True(name.SequenceEqual("user.blob"u8));
        Assert.Equal(-(int)Errno.ENODATA, new ParsedReply(Load("getxattr-missing", "reply")).Error);
        Assert.Equal(300u, new ParsedReply(Load("getxattr-probe", "reply")).Read<FuseGetXattrOut>().Length);
    }
}
