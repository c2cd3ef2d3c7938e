using Erofs.Accel.Fuse.Server;
using Erofs.Accel.Fuse.TestHost;
using Erofs.Accel.Fuse.Tests.TestSupport;
using Erofs.Accel.Fuse.Tests.TestSupport.Interop;
using Microsoft.Extensions.Logging.Abstractions;

namespace Erofs.Accel.Fuse.Tests.Mount;

/// <summary>
/// FUSE_NOTIFY_STORE around READs (<see cref="ReadReply.SuggestPrefill"/>): the pages a filesystem suggested reach the
/// kernel's page cache, later reads of them never reach the server, their bytes are right, and a store never makes a
/// file look longer. Reads here are random (POSIX_FADV_RANDOM), so the kernel asks for exactly the page read.
/// </summary>
[Collection(FuseMountCollection.Name)]
public sealed unsafe class PageCachePrefillTests
{
    private const int Page = 4096;
    private const long Block = 64 * 1024;

    [Theory]
    [MemberData(nameof(Transports.Both), MemberType = typeof(Transports))]
    public void PagesAroundARandomReadAreServedByTheKernelOnceStored(FuseTransport transport)
    {
        var fs = SyntheticFileSystem.CreateDefault(12, 10);
        var node = fs.Node("files/f0009.bin"); // 1 MiB
        node.PrefillBlock = Block;
        using var mount = new MountedSynthetic(fs, transport: transport);
        using var file = new RandomReader(mount.PathOf("files/f0009.bin"));

        AssertPage(file, node, Block + 2 * Page);
        // the block's other 15 pages are stored by the prefill thread once the read is answered
        Assert.True(Waits.Until(() => mount.Server.PrefilledBytes >= Block - Page, TimeSpan.FromSeconds(10)),
            $"only {mount.Server.PrefilledBytes} bytes stored");
        long readsBefore = fs.ReadCalls;
        for (long at = Block; at < 2 * Block; at += Page) AssertPage(file, node, at);
        Assert.Equal(readsBefore, fs.ReadCalls);

        // a page outside the block still goes to the server
        AssertPage(file, node, 4 * Block);
        Assert.True(fs.ReadCalls > readsBefore, "a page outside the stored block did not reach the server");
        Assert.Equal(0, mount.Logger.Count(Microsoft.Extensions.Logging.LogLevel.Error));
        mount.UnmountAndVerify();
    }

    [Fact]
    public void AStoreEndsAtTheEndOfTheFileAndLeavesItsSizeAlone()
    {
        var fs = SyntheticFileSystem.CreateDefault(12, 10);
        var node = fs.Node("files/f0006.bin"); // 65535 bytes: the last page is partial
        Assert.Equal(65535, node.Size);
        node.PrefillBlock = 4 * Block; // reaches far past the end
        using var mount = new MountedSynthetic(fs);
        var path = mount.PathOf("files/f0006.bin");
        using var file = new RandomReader(path);

        AssertPage(file, node, 0);
        Assert.True(Waits.Until(() => mount.Server.PrefilledBytes >= node.Size - Page, TimeSpan.FromSeconds(10)),
            $"only {mount.Server.PrefilledBytes} bytes stored");
        Assert.Equal(node.Size - Page, mount.Server.PrefilledBytes);
        Assert.Equal(node.Size, new FileInfo(path).Length);
        long readsBefore = fs.ReadCalls;
        for (long at = 0; at < node.Size; at += Page) AssertPage(file, node, at);
        Assert.Empty(file.ReadAt(node.Size, Page));
        Assert.Equal(readsBefore, fs.ReadCalls);
        Assert.Equal(node.Size, new FileInfo(path).Length);
    }

    [Fact]
    public void WithPrefillOffEverySuggestionIsIgnored()
    {
        var fs = SyntheticFileSystem.CreateDefault(12, 10);
        var node = fs.Node("files/f0009.bin");
        node.PrefillBlock = Block;
        using var mount = new MountedSynthetic(fs, prefillPageCache: false);
        using var file = new RandomReader(mount.PathOf("files/f0009.bin"));
        AssertPage(file, node, Block);
        long readsBefore = fs.ReadCalls;
        AssertPage(file, node, Block + Page);
        Assert.Equal(readsBefore + 1, fs.ReadCalls);
        Assert.Equal(0, mount.Server.PrefilledBytes);
    }

    [Fact]
    public void WindowsAreRoundedToPagesBoundedAndSkipTheAnsweredPages()
    {
        using var prefiller = new PageCachePrefiller(SyntheticFileSystem.CreateDefault(12, 10), null!, 16 * Page, NullLogger.Instance, Page);

        Assert.True(prefiller.TryPlan(7, 70, 10 * Page, Page, 10 * Page - 100, 2 * Page + 200, out var w));
        Assert.Equal(new PageCachePrefiller.Window(7, 70, 9 * Page, 13 * Page, 10 * Page, 11 * Page), w);

        // bounded to 16 pages on each side of the answered ones
        Assert.True(prefiller.TryPlan(7, 70, 100 * Page, 2 * Page, 0, 1000L * Page, out w));
        Assert.Equal((84L * Page, 118L * Page), (w.Start, w.End));
        Assert.Equal((100L * Page, 102L * Page), (w.SkipStart, w.SkipEnd));

        // an answer that ends inside a page skips that whole page
        Assert.True(prefiller.TryPlan(7, 70, 0, 100, 0, 3 * Page, out w));
        Assert.Equal((0L, (long)Page), (w.SkipStart, w.SkipEnd));

        // nothing beyond the answered pages, nothing answered, a range that makes no sense: no window
        Assert.False(prefiller.TryPlan(7, 70, 4 * Page, 2 * Page, 4 * Page + 10, Page, out _));
        Assert.False(prefiller.TryPlan(7, 70, 4 * Page, 0, 0, 8 * Page, out _));
        Assert.False(prefiller.TryPlan(7, 70, 4 * Page, Page, -1, 8 * Page, out _));
        Assert.False(prefiller.TryPlan(7, 70, 4 * Page, Page, long.MaxValue, 8 * Page, out _));
    }

    private static void AssertPage(RandomReader file, SyntheticNode node, long offset)
    {
        var expected = SyntheticContent.Range(node.Inode, offset, (int)Math.Min(Page, node.Size - offset));
        Assert.Equal(expected, file.ReadAt(offset, Page));
    }

    /// <summary>A file opened for random reads: no readahead, so each uncached page read is one READ of that page.</summary>
    private sealed class RandomReader : IDisposable
    {
        private readonly int _fd;

        public RandomReader(string path)
        {
            _fd = Libc.Open(path, 0);
            Assert.True(_fd >= 0, $"open {path} failed");
            Assert.Equal(0, Libc.PosixFadvise(_fd, 0, 0, Libc.POSIX_FADV_RANDOM));
        }

        public byte[] ReadAt(long offset, int count)
        {
            var buffer = new byte[count];
            nint n;
            fixed (byte* p = buffer) n = Libc.Pread(_fd, p, (nuint)count, offset);
            Assert.True(n >= 0, $"pread at {offset} failed");
            return buffer[..(int)n];
        }

        public void Dispose() => Libc.Close(_fd);
    }
}
