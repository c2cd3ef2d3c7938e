using Erofs.Accel.Core.Data;
using Erofs.Accel.Core.Export;
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

    private static void AssertPage(SafeFileHandle file, byte[] expected, long offset)
    {
        var buffer = new byte[Page];
        int n = RandomAccess.Read(file, buffer, offset);
        Assert.Equal((int)Math.Min(Page, expected.Length - offset), n);
        Assert.True(buffer.AsSpan(0, n).SequenceEqual(expected.AsSpan((int)offset, n)), $"bytes at {offset} differ");
    }
}
