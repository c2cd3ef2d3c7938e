using Erofs.Accel.Fuse.Protocol;
using Erofs.Accel.Fuse.TestHost;
using Erofs.Accel.Fuse.Tests.TestSupport;

namespace Erofs.Accel.Fuse.Tests.Server;

/// <summary>READDIR and READDIRPLUS: records, cookies, continuation, attributes.</summary>
public sealed class DispatcherDirectoryTests
{
    [Fact]
    public void ReadDirListsEveryEntryAcrossPagesWithCookies()
    {
        using var harness = new DispatcherHarness();
        var many = harness.NodeIdOf("many");
        var names = new List<string>();
        ulong offset = 0;
        var pages = 0;
        while (true)
        {
            var reply = harness.Call(FuseOpcode.ReadDir, many, new FuseReadIn { Offset = offset, Length = 4096 });
            Assert.Equal(0, reply.Error);
            Assert.True(reply.Body.Length <= 4096);
            var records = DirectoryReplyReader.Decode(reply.Body, plus: false);
            if (records.Count == 0) break;
            pages++;
            names.AddRange(records.Select(r => r.Name));
            Assert.True(records[^1].NextOffset > offset);
            offset = records[^1].NextOffset;
        }
        Assert.True(pages > 10);
        var expected = new[] { ".", ".." }.Concat(harness.FileSystem.Node("many").Entries.Select(e => System.Text.Encoding.UTF8.GetString(e.Name)));
        Assert.Equal(expected, names);
    }

    [Fact]
    public void ReadDirRecordsCarryInodeAndType()
    {
        using var harness = new DispatcherHarness();
        var reply = harness.Call(FuseOpcode.ReadDir, NodeIdMap.RootNodeId, new FuseReadIn { Length = 4096 });
        var records = DirectoryReplyReader.Decode(reply.Body, plus: false);
        Assert.Equal(".", records[0].Name);
        Assert.Equal(SyntheticFileSystem.RootInodeNumber, records[0].Inode);
        Assert.Equal((uint)FileType.Directory, records[0].Type);
        var links = records.Single(r => r.Name == "links");
        Assert.Equal(harness.FileSystem.Node("links").Inode, links.Inode);
        var special = harness.Call(FuseOpcode.ReadDir, harness.NodeIdOf("special"), new FuseReadIn { Length = 4096 });
        var types = DirectoryReplyReader.Decode(special.Body, plus: false).ToDictionary(r => r.Name, r => r.Type);
        Assert.Equal((uint)FileType.CharacterDevice, types["chardev"]);
        Assert.Equal((uint)FileType.Fifo, types["fifo"]);
    }

    [Fact]
    public void ReadDirPlusCarriesEntriesExceptForDotAndDotDot()
    {
        using var harness = new DispatcherHarness();
        var files = harness.NodeIdOf("files");
        var reply = harness.Call(FuseOpcode.ReadDirPlus, files, new FuseReadIn { Length = 32768 });
        Assert.Equal(0, reply.Error);
        var records = DirectoryReplyReader.Decode(reply.Body, plus: true);
        Assert.Equal(0UL, records[0].Entry!.Value.NodeId);
        Assert.Equal(0UL, records[1].Entry!.Value.NodeId);
        foreach (var record in records.Skip(2))
        {
            var node = harness.FileSystem.Node("files/" + record.Name);
            var entry = record.Entry!.Value;
            Assert.Equal(node.Inode + 2, entry.NodeId);
            Assert.Equal(node.Inode, entry.Attr.Inode);
            Assert.Equal((ulong)node.Size, entry.Attr.FileSize);
            Assert.Equal(86400UL, entry.EntryValidSeconds);
            Assert.Equal(node.Inode, record.Inode);
        }
        // the hard link shows the same node twice
        var hard = records.Single(r => r.Name == "hardlink.bin").Entry!.Value;
        var original = records.Single(r => r.Name == "f0002.bin").Entry!.Value;
        Assert.Equal(original.NodeId, hard.NodeId);
        Assert.Equal(2u, hard.Attr.LinkCount);
    }

    [Fact]
    public void ListingStopsWhenTheNextRecordWouldNotFit()
    {
        using var harness = new DispatcherHarness();
        var many = harness.NodeIdOf("many");
        // each "entry-NNNNN" record is 24 + 11 -> 40 bytes; 152 + 11 -> 168 with attributes
        var plain = harness.Call(FuseOpcode.ReadDir, many, new FuseReadIn { Offset = 2, Length = 399 });
        Assert.Equal(9 * 40, plain.Body.Length);
        var plus = harness.Call(FuseOpcode.ReadDirPlus, many, new FuseReadIn { Offset = 2, Length = 335 });
        Assert.Equal(168, plus.Body.Length);
        var none = harness.Call(FuseOpcode.ReadDirPlus, many, new FuseReadIn { Offset = 2, Length = 100 });
        Assert.Equal(0, none.Body.Length);
    }

    [Fact]
    public void ListingPastTheEndIsEmptyAndFilesAreNotDirectories()
    {
        using var harness = new DispatcherHarness();
        var reply = harness.Call(FuseOpcode.ReadDir, harness.NodeIdOf("links"), new FuseReadIn { Offset = 1000, Length = 4096 });
        Assert.Equal(0, reply.Error);
        Assert.Equal(0, reply.Body.Length);
        Assert.Equal(-(int)Errno.ENOTDIR, harness.Call(FuseOpcode.ReadDir, harness.NodeIdOf("files/f0001.bin"), new FuseReadIn { Length = 4096 }).Error);
    }

    [Fact]
    public void ListingRejectsBadNamesAndZeroCookies()
    {
        var listing = (DirectoryListing)Activator.CreateInstance(typeof(DirectoryListing), nonPublic: true)!;
        using var reply = new ReplyBuilder(8192);
        reply.Begin(1);
        listing.Attach(reply, 4096, false, DispatcherHarness.Shared, new NodeIdMap(5), default);
        Assert.True(listing.TryAdd("a/b"u8, 9, FileType.RegularFile, 1));
        Assert.True(listing.TryAdd(""u8, 9, FileType.RegularFile, 2));
        Assert.True(listing.TryAdd(new byte[] { (byte)'a', 0 }, 9, FileType.RegularFile, 3));
        Assert.Equal(3, listing.SkippedInvalidNames);
        Assert.Equal(0, listing.Count);
        Assert.Throws<ArgumentOutOfRangeException>(() => listing.TryAdd("ok"u8, 9, FileType.RegularFile, 0));
        listing.Detach();
        Assert.Throws<InvalidOperationException>(() => listing.TryAdd("ok"u8, 9, FileType.RegularFile, 1));
    }
}
