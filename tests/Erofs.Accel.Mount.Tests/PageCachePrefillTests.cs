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
    public void AWalkOfAFoldersSmallFilesFindsMostOfThemInThePageCache()
    {
        TestCorpus.RequireDirectory();
        ReadCounter? counter = null;
        using var mount = new MountedImage("lz4", TimeSpan.FromMinutes(2),
            fileSystem: image => counter = new ReadCounter(new ErofsFileSystem(image, readAheadAcrossFiles: true)));
        // listed as a walk lists it (readdir order is the folder's order), then read whole in that order
        var files = Directory.EnumerateFiles(Path.Combine(mount.MountPoint, "sizes")).ToList();
        Assert.True(files.Count >= 60, $"only {files.Count} files in /sizes");
        Assert.All(files, f => Assert.True(new FileInfo(f).Length <= FolderReadahead.SmallFileBytes));
        long seen = counter!.ReaderReads;
        foreach (var path in files)
        {
            var expected = mount.Image.ReadAllBytes(mount.Image.Resolve(path[mount.MountPoint.Length..]));
            Assert.Equal(expected, File.ReadAllBytes(path));
            // after a READ, let the server store what it named before the walk goes on (a walk faster than the
            // stores only finds fewer files in the page cache)
            if (counter.ReaderReads != seen) WaitUntilNothingIsStored(mount);
            seen = counter.ReaderReads;
        }
        // one READ per batch of up to FilesAhead files, plus the first two files that start the walk
        int batches = (files.Count + FolderReadahead.FilesAhead) / (FolderReadahead.FilesAhead + 1);
        Assert.True(counter.ReaderReads <= batches + 3, $"{counter.ReaderReads} READs for {files.Count} files ({batches} batches)");
    }

    private static void WaitUntilNothingIsStored(MountedImage mount)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        long stored;
        do
        {
            stored = mount.Server.PrefilledBytes;
            Thread.Sleep(100);
        }
        while (mount.Server.PrefilledBytes != stored && DateTime.UtcNow < deadline);
    }

    /// <summary>Counts the READs that reach the filesystem from readers (not the server's own reads for the page cache).</summary>
    private sealed class ReadCounter(IReadOnlyFileSystem inner) : IReadOnlyFileSystem
    {
        private long _reads;
        public long ReaderReads => Interlocked.Read(ref _reads);
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
            if (!reply.IsPrefill) Interlocked.Increment(ref _reads);
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
