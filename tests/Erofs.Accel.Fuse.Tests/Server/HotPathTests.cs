using Erofs.Accel.Fuse.Protocol;
using Erofs.Accel.Fuse.TestHost;
using Erofs.Accel.Fuse.Tests.TestSupport;

namespace Erofs.Accel.Fuse.Tests.Server;

/// <summary>The request path allocates nothing once warm, and the read sink keeps filesystems within bounds.</summary>
public sealed class HotPathTests
{
    [Fact]
    public void ReadAndGetAttrDoNotAllocate()
    {
        using var harness = new DispatcherHarness();
        var file = harness.NodeIdOf("files/f0009.bin");
        var read = FuseMessages.Request(FuseOpcode.Read, 7, file, new FuseReadIn { Offset = 4096, Length = 128 * 1024 });
        var getattr = FuseMessages.Request(FuseOpcode.GetAttr, 8, file, new FuseGetAttrIn());
        var forget = FuseMessages.Request(FuseOpcode.Forget, 9, file, new FuseForgetIn { LookupCount = 1 });
        var statx = FuseMessages.Request(FuseOpcode.Statx, 10, file, new byte[24]);
        for (var i = 0; i < 3; i++) Run();

        // a per-request allocation shows in every round; the runtime's own one-off work (tiering) in a few at most
        var rounds = new long[8];
        for (var round = 0; round < rounds.Length; round++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 50; i++) Run();
            rounds[round] = GC.GetAllocatedBytesForCurrentThread() - before;
        }
        Assert.Equal(0, rounds.Min());

        void Run()
        {
            harness.Dispatcher.Dispatch(read, harness.Context);
            harness.Context.Reply.ReleaseExternal();
            harness.Dispatcher.Dispatch(getattr, harness.Context);
            harness.Dispatcher.Dispatch(forget, harness.Context);
            harness.Dispatcher.Dispatch(statx, harness.Context);
        }
    }

    [Fact]
    public void ReadReplyRefusesMoreThanWasAskedAndUseAfterTheCall()
    {
        var fs = new CapturingFileSystem();
        using var harness = new DispatcherHarness();
        var dispatcher = new Erofs.Accel.Fuse.Server.RequestDispatcher(fs, FuseServer.InitSettingsFrom(harness.Options), FuseServer.TimeoutsFrom(harness.Options));
        dispatcher.Dispatch(DispatcherHarness.KernelInit(), harness.Context);
        dispatcher.Dispatch(FuseMessages.Request(FuseOpcode.Read, 5, 1, new FuseReadIn { Length = 100 }), harness.Context);
        Assert.Equal(100, fs.SpanLength);
        Assert.True(fs.WriteTooMuchFailed);
        Assert.True(fs.SegmentTooLargeFailed);
        Assert.Throws<InvalidOperationException>(() => fs.Captured!.Write([1]));
        var reply = new ParsedReply(harness.Context.Reply.ToArray());
        Assert.Equal(0, reply.Error);
        Assert.Equal(new byte[] { 1, 2, 3 }, reply.Body.ToArray());
    }

    private sealed class CapturingFileSystem : IReadOnlyFileSystem
    {
        public ReadReply? Captured { get; private set; }
        public int SpanLength { get; private set; }
        public bool WriteTooMuchFailed { get; private set; }
        public bool SegmentTooLargeFailed { get; private set; }

        public ulong RootInode => 1;

        public Errno Read(ulong inode, long offset, int length, ReadReply reply)
        {
            Captured = reply;
            SpanLength = reply.GetSpan().Length;
            reply.Write([1, 2, 3]);
            try { reply.Write(new byte[98]); } catch (ArgumentOutOfRangeException) { WriteTooMuchFailed = true; }
            try { reply.AddSegment(new byte[98]); } catch (ArgumentOutOfRangeException) { SegmentTooLargeFailed = true; }
            return Errno.Success;
        }

        public Errno Lookup(ulong parent, ReadOnlySpan<byte> name, out NodeAttributes attributes) => throw new NotSupportedException();
        public Errno GetAttributes(ulong inode, out NodeAttributes attributes) => throw new NotSupportedException();
        public Errno ReadLink(ulong inode, Span<byte> destination, out int length) => throw new NotSupportedException();
        public Errno ReadDirectory(ulong inode, long offset, DirectoryListing listing) => throw new NotSupportedException();
        public Errno GetExtendedAttribute(ulong inode, ReadOnlySpan<byte> name, Span<byte> destination, out int length) => throw new NotSupportedException();
        public Errno ListExtendedAttributes(ulong inode, in RequestCaller caller, Span<byte> destination, out int length) => throw new NotSupportedException();
        public FileSystemStatistics GetStatistics() => throw new NotSupportedException();
    }
}
