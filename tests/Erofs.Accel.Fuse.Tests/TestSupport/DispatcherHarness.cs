using Erofs.Accel.Fuse.Protocol;
using Erofs.Accel.Fuse.Server;
using Erofs.Accel.Fuse.TestHost;
using Microsoft.Extensions.Logging;

namespace Erofs.Accel.Fuse.Tests.TestSupport;

/// <summary>
/// The request dispatcher over the synthetic filesystem, without a kernel: feed it request bytes, get reply bytes.
/// </summary>
internal sealed class DispatcherHarness : IDisposable
{
    public const int KernelMinor = 45;
    public const uint KernelFlags = 0x73fffffb;
    public const uint KernelFlags2 = 0x5fd;

    private ulong _unique = 100;

    public DispatcherHarness(FuseServerOptions? options = null, SyntheticFileSystem? fileSystem = null, bool initialize = true, ILogger? logger = null)
    {
        Options = options ?? new FuseServerOptions { MountPoint = "/unused" };
        FileSystem = fileSystem ?? Shared;
        Logger = logger ?? new CollectingLogger();
        Dispatcher = new RequestDispatcher(FileSystem, FuseServer.InitSettingsFrom(Options), FuseServer.TimeoutsFrom(Options), Logger);
        Context = new WorkerContext(FuseServer.RequestBufferSize, FuseServer.ReplyBufferSize(Options));
        if (initialize)
        {
            var (result, reply) = Send(KernelInit());
            Assert.Equal(DispatchResult.ReplySessionStarted, result);
            Assert.Equal(0, reply!.Error);
        }
    }

    /// <summary>The filesystem the recorded messages were taken from (built once, it is read-only).</summary>
    public static SyntheticFileSystem Shared { get; } = SyntheticFileSystem.CreateDefault(120, 2500);

    public FuseServerOptions Options { get; }

    public SyntheticFileSystem FileSystem { get; }

    public ILogger Logger { get; }

    public RequestDispatcher Dispatcher { get; }

    public WorkerContext Context { get; }

    public ulong NextUnique() => ++_unique;

    /// <summary>An INIT as Linux 6.18 sends it (7.45, its real flags).</summary>
    public static byte[] KernelInit(uint major = 7, uint minor = KernelMinor, uint flags = KernelFlags, uint flags2 = KernelFlags2, uint readahead = 0x20000) =>
        FuseMessages.Request(FuseOpcode.Init, 1, 0, new FuseInitIn { Major = major, Minor = minor, MaxReadahead = readahead, Flags = flags, Flags2 = flags2 });

    public (DispatchResult Result, ParsedReply? Reply) Send(byte[] message)
    {
        var result = Dispatcher.Dispatch(message, Context);
        if (result == DispatchResult.NoReply) return (result, null);
        var bytes = Context.Reply.ToArray();
        Context.Reply.ReleaseExternal();
        return (result, new ParsedReply(bytes));
    }

    /// <summary>Sends a request that must be answered and returns the reply.</summary>
    public ParsedReply Call(byte[] message)
    {
        var (result, reply) = Send(message);
        Assert.NotEqual(DispatchResult.NoReply, result);
        return reply!;
    }

    public ParsedReply Call<T>(FuseOpcode opcode, ulong nodeId, T body, ReadOnlySpan<byte> trailing = default) where T : unmanaged =>
        Call(FuseMessages.Request(opcode, NextUnique(), nodeId, body, trailing));

    public ParsedReply Call(FuseOpcode opcode, ulong nodeId, ReadOnlySpan<byte> payload = default) =>
        Call(FuseMessages.Request(opcode, NextUnique(), nodeId, payload));

    /// <summary>Node id of a path, found by LOOKUP from the root like the kernel does.</summary>
    public ulong NodeIdOf(string path)
    {
        ulong node = NodeIdMap.RootNodeId;
        foreach (var part in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            var reply = Call(FuseOpcode.Lookup, node, FuseMessages.Name(part));
            Assert.Equal(0, reply.Error);
            node = reply.Read<FuseEntryOut>().NodeId;
            Assert.NotEqual(0UL, node);
        }
        return node;
    }

    public void Dispose() => Context.Dispose();
}
