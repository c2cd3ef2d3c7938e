using Erofs.Accel.Fuse.Protocol;
using Erofs.Accel.Fuse.Server;
using Erofs.Accel.Fuse.TestHost;
using Erofs.Accel.Fuse.Tests.TestSupport;
using Microsoft.Extensions.Logging;

namespace Erofs.Accel.Fuse.Tests.Server;

/// <summary>OPEN, READ, RELEASE through the dispatcher.</summary>
public sealed class DispatcherFileTests
{
    [Fact]
    public void OpenIsEnosysUnderZeroMessageOpen()
    {
        using var harness = new DispatcherHarness();
        var file = harness.NodeIdOf("files/f0001.bin");
        Assert.Equal(-(int)Errno.ENOSYS, harness.Call(FuseOpcode.Open, file, new FuseOpenIn()).Error);
        Assert.Equal(-(int)Errno.ENOSYS, harness.Call(FuseOpcode.OpenDir, NodeIdMap.RootNodeId, new FuseOpenIn()).Error);
    }

    [Fact]
    public void OpenKeepsTheCacheAndRefusesWriting()
    {
        using var harness = new DispatcherHarness(new FuseServerOptions { MountPoint = "/unused", ZeroMessageOpen = false });
        var file = harness.NodeIdOf("files/f0001.bin");
        var reply = harness.Call(FuseOpcode.Open, file, new FuseOpenIn { Flags = 0x8000 });
        Assert.Equal(0, reply.Error);
        Assert.Equal(FuseOpenReplyFlags.KeepCache, reply.Read<FuseOpenOut>().OpenFlags);
        var directory = harness.Call(FuseOpcode.OpenDir, NodeIdMap.RootNodeId, new FuseOpenIn());
        Assert.Equal(FuseOpenReplyFlags.KeepCache | FuseOpenReplyFlags.CacheDir, directory.Read<FuseOpenOut>().OpenFlags);
        Assert.Equal(-(int)Errno.EROFS, harness.Call(FuseOpcode.Open, file, new FuseOpenIn { Flags = 1 }).Error);
        Assert.Equal(-(int)Errno.EROFS, harness.Call(FuseOpcode.Open, file, new FuseOpenIn { Flags = 2 }).Error);
        Assert.Equal(-(int)Errno.EROFS, harness.Call(FuseOpcode.Open, file, new FuseOpenIn { Flags = 0x200 }).Error);
        Assert.Equal(0, harness.Call(FuseOpcode.Release, file, new FuseReleaseIn()).Error);
        Assert.Equal(0, harness.Call(FuseOpcode.ReleaseDir, NodeIdMap.RootNodeId, new FuseReleaseIn()).Error);
    }

    [Theory]
    [InlineData("files/f0009.bin", 0, 4096)]        // into the buffer
    [InlineData("files/f0010.bin", 12345, 1 << 20)]   // pooled segments
    [InlineData("files/f0011.bin", 1 << 20, 1 << 20)] // mixed
    [InlineData("files/f0011.bin", 3 << 20, 1 << 20)] // crosses the end
    [InlineData("files/f0005.bin", 4000, 4096)]       // short file
    public void ReadAnswersExactlyTheFilesBytes(string path, long offset, int length)
    {
        using var harness = new DispatcherHarness();
        var node = harness.FileSystem.Node(path);
        var reply = harness.Call(FuseOpcode.Read, harness.NodeIdOf(path), new FuseReadIn { Offset = (ulong)offset, Length = (uint)length });
        Assert.Equal(0, reply.Error);
        var expectedLength = (int)Math.Clamp(node.Size - offset, 0, length);
        Assert.Equal(expectedLength, reply.Body.Length);
        Assert.True(reply.Body.SequenceEqual(SyntheticContent.Range(node.Inode, offset, expectedLength)));
    }

    [Fact]
    public void ReadAtOrPastTheEndIsEmpty()
    {
        using var harness = new DispatcherHarness();
        var node = harness.NodeIdOf("files/f0004.bin");
        Assert.Equal(0, harness.Call(FuseOpcode.Read, node, new FuseReadIn { Offset = 4096, Length = 4096 }).Body.Length);
        Assert.Equal(0, harness.Call(FuseOpcode.Read, node, new FuseReadIn { Offset = 1UL << 40, Length = 4096 }).Body.Length);
        Assert.Equal(-(int)Errno.EINVAL, harness.Call(FuseOpcode.Read, node, new FuseReadIn { Offset = ulong.MaxValue, Length = 1 }).Error);
    }

    [Fact]
    public void ReadLargerThanNegotiatedIsRefused()
    {
        using var harness = new DispatcherHarness();
        var node = harness.NodeIdOf("files/f0011.bin");
        Assert.Equal(-(int)Errno.EIO, harness.Call(FuseOpcode.Read, node, new FuseReadIn { Length = (1 << 20) + 1 }).Error);
    }

    [Fact]
    public void AnExceptionInReadBecomesEioAndALogLine()
    {
        var logger = new CollectingLogger();
        using var harness = new DispatcherHarness(logger: logger);
        var node = harness.NodeIdOf("errors/throws.bin");
        var reply = harness.Call(FuseOpcode.Read, node, new FuseReadIn { Length = 4096 });
        Assert.Equal(-(int)Errno.EIO, reply.Error);
        Assert.Equal(16, reply.Bytes.Length);
        Assert.Equal(1, harness.Dispatcher.FailureCount);
        Assert.Equal(1, logger.Count(LogLevel.Error));
        // the next request is served normally
        Assert.Equal(0, harness.Call(FuseOpcode.Read, harness.NodeIdOf("files/f0009.bin"), new FuseReadIn { Length = 10 }).Error);
    }

    [Fact]
    public void AFileSystemErrnoIsPassedThroughWithoutLogging()
    {
        var logger = new CollectingLogger();
        using var harness = new DispatcherHarness(logger: logger);
        var reply = harness.Call(FuseOpcode.Read, harness.NodeIdOf("errors/errno.bin"), new FuseReadIn { Length = 4096 });
        Assert.Equal(-(int)Errno.EIO, reply.Error);
        Assert.Equal(0, harness.Dispatcher.FailureCount);
        Assert.Equal(0, logger.Count(LogLevel.Error));
    }

    [Fact]
    public void SegmentsFromAFailedReadAreReleased()
    {
        var fs = new FailingAfterSegmentFileSystem();
        using var harness = new DispatcherHarness(fileSystem: null);
        var dispatcher = new RequestDispatcher(fs, FuseServer.InitSettingsFrom(harness.Options), FuseServer.TimeoutsFrom(harness.Options));
        dispatcher.Dispatch(DispatcherHarness.KernelInit(), harness.Context);
        var result = dispatcher.Dispatch(FuseMessages.Request(FuseOpcode.Read, 5, NodeIdMap.RootNodeId, new FuseReadIn { Length = 100 }), harness.Context);
        Assert.Equal(DispatchResult.Reply, result);
        Assert.True(fs.Owner.Disposed);
        Assert.Equal(-(int)Errno.EIO, new ParsedReply(harness.Context.Reply.ToArray()).Error);
    }

    /// <summary>Adds a segment, then fails: the segment's owner must still be released.</summary>
    private sealed class FailingAfterSegmentFileSystem : IReadOnlyFileSystem
    {
        public Owner Owner { get; } = new();

        public ulong RootInode => 1;

        public Errno Read(ulong inode, long offset, int length, ReadReply reply)
        {
            reply.AddSegment(new byte[10], Owner);
            throw new InvalidOperationException("boom");
        }

        public Errno Lookup(ulong parent, ReadOnlySpan<byte> name, out NodeAttributes attributes) => throw new NotSupportedException();
        public Errno GetAttributes(ulong inode, out NodeAttributes attributes) => throw new NotSupportedException();
        public Errno ReadLink(ulong inode, Span<byte> destination, out int length) => throw new NotSupportedException();
        public Errno ReadDirectory(ulong inode, long offset, DirectoryListing listing) => throw new NotSupportedException();
        public Errno GetExtendedAttribute(ulong inode, ReadOnlySpan<byte> name, Span<byte> destination, out int length) => throw new NotSupportedException();
        public Errno ListExtendedAttributes(ulong inode, in RequestCaller caller, Span<byte> destination, out int length) => throw new NotSupportedException();
        public FileSystemStatistics GetStatistics() => throw new NotSupportedException();
    }

    private sealed class Owner : IDisposable
    {
        public bool Disposed { get; private set; }

        public void Dispose() => Disposed = true;
    }
}
