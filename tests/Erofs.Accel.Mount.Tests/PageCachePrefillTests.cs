using Erofs.Accel.Core.Data;
using Erofs.Accel.Core.Export;
using Erofs.Accel.Fuse;
using Erofs.Accel.Testing;
using Microsoft.Win32.SafeHandles;

namespace Erofs.Accel.Mount.Tests;

/// <summary>
/// A random read of one page of a compressed file brings every page of the extents it fell in into the kernel's page
/// cache (ErofsFileSystem suggests them, the FUSE server stores them), as the kernel's EROFS does: reading those pages
/// afterwards sends the server nothing, and their bytes are the image's.
/// </summary>
[Collection(MountCollection.Name)]
public class PageCachePrefillTests
{
    private const int Page = 4096;

    [Fact]
    public void ARandomPageOfACompressedExtentBringsTheWholeExtentIntoThePageCache()
    {
        TestCorpus.RequireDirectory();
        using var mount = new MountedImage("lz4hc-C64k", TimeSpan.FromMinutes(2));
        // a compressed file with a compressed extent of at least four pages past its first 64 KiB
        var (path, inode, extent) = TreeWalker.Walk(mount.Image)
            .Where(n => n.Inode.IsRegularFile && n.Inode.IsCompressed && n.Inode.Size > 65536 + 2 * Page)
            .Select(n => (Path: System.Text.Encoding.UTF8.GetString(n.Path), n.Inode, Extent: mount.Image.MapCompressedExtent(n.Inode, 65536 + Page)))
            .First(f => f.Extent.Kind == ExtentKind.Compressed && f.Extent.LogicalLength >= 4 * Page);
        var expected = mount.Image.ReadAllBytes(inode);
        long first = extent.LogicalStart / Page * Page, end = (extent.LogicalEnd + Page - 1) / Page * Page;
        long middle = (extent.LogicalStart + extent.LogicalLength / 2) / Page * Page;

        using var file = File.OpenHandle(mount.MountPoint + path, options: FileOptions.RandomAccess); // POSIX_FADV_RANDOM: no readahead
        AssertPage(file, expected, middle);
        Assert.True(SpinWait.SpinUntil(() => mount.Server.PrefilledBytes >= end - first - Page, TimeSpan.FromSeconds(10)),
            $"{mount.Server.PrefilledBytes} bytes stored, {end - first - Page} expected around [{extent.LogicalStart}, {extent.LogicalEnd})");

        long requests = mount.Server.RequestCount;
        for (long at = first; at < end; at += Page) AssertPage(file, expected, at);
        Assert.Equal(requests, mount.Server.RequestCount);
    }

    [Fact]
    public void ReadingAFoldersFirstFileBringsTheSmallFilesThatFollowIntoThePageCache()
    {
        TestCorpus.RequireDirectory();
        ReadCounter? counter = null;
        using var mount = new MountedImage("lz4", TimeSpan.FromMinutes(2),
            fileSystem: image => counter = new ReadCounter(new ErofsFileSystem(image, readAheadAcrossFiles: true)));
        // listed as a walk lists it (readdir order is the folder's order), then its first file read whole
        var files = Directory.EnumerateFiles(Path.Combine(mount.MountPoint, "text")).ToList();
        Assert.True(files.Count >= 4, $"only {files.Count} files in /text");
        File.ReadAllBytes(files[0]);
        // the small files that follow, as FolderReadahead names them
        var following = new List<(string Path, byte[] Bytes)>();
        long bytes = 0;
        foreach (var path in files.Skip(1).Take(FolderReadahead.FilesAhead))
        {
            var inode = mount.Image.Resolve(path[mount.MountPoint.Length..]);
            if ((long)inode.Size > FolderReadahead.SmallFileBytes || bytes + (long)inode.Size > FolderReadahead.BytesAhead) break;
            bytes += (long)inode.Size;
            following.Add((path, mount.Image.ReadAllBytes(inode)));
        }
        Assert.True(following.Count >= 3, $"only {following.Count} small files follow the first");
        Assert.True(SpinWait.SpinUntil(() => mount.Server.PrefilledBytes >= bytes, TimeSpan.FromSeconds(10)),
            $"{mount.Server.PrefilledBytes} bytes stored, {bytes} expected");

        long reads = counter!.Reads;
        foreach (var (path, expected) in following) Assert.Equal(expected, File.ReadAllBytes(path));
        Assert.Equal(reads, counter.Reads);
    }

    /// <summary>Counts the READs that reach the filesystem (the server's own read-backs for the page cache included).</summary>
    private sealed class ReadCounter(IReadOnlyFileSystem inner) : IReadOnlyFileSystem
    {
        private long _reads;
        public long Reads => Interlocked.Read(ref _reads);
        public ulong RootInode => inner.RootInode;
        public Errno Lookup(ulong parent, ReadOnlySpan<byte> name, out NodeAttributes attributes) => inner.Lookup(parent, name, out attributes);
        public Errno GetAttributes(ulong inode, out NodeAttributes attributes) => inner.GetAttributes(inode, out attributes);
        public Errno ReadLink(ulong inode, Span<byte> destination, out int length) => inner.ReadLink(inode, destination, out length);
        public Errno ReadDirectory(ulong inode, long offset, DirectoryListing listing) => inner.ReadDirectory(inode, offset, listing);
        public Errno GetExtendedAttribute(ulong inode, ReadOnlySpan<byte> name, Span<byte> destination, out int length) =>
            inner.GetExtendedAttribute(inode, name, destination, out length);
        public Errno ListExtendedAttributes(ulong inode, in RequestCaller caller, Span<byte> destination, out int length) =>
            inner.ListExtendedAttributes(inode, caller, destination, out length);
        public FileSystemStatistics GetStatistics() => inner.GetStatistics();

        public Errno Read(ulong inode, long offset, int length, ReadReply reply)
        {
            Interlocked.Increment(ref _reads);
            return inner.Read(inode, offset, length, reply);
        }
    }

    private static void AssertPage(SafeFileHandle file, byte[] expected, long offset)
    {
        var buffer = new byte[Page];
        int n = RandomAccess.Read(file, buffer, offset);
        Assert.Equal((int)Math.Min(Page, expected.Length - offset), n);
        Assert.True(buffer.AsSpan(0, n).SequenceEqual(expected.AsSpan((int)offset, n)), $"bytes at {offset} differ");
    }
}
