using Erofs.Accel.Core;
using Erofs.Accel.Testing;

namespace Erofs.Accel.Mount.Tests;

/// <summary>When FolderReadahead names the small files that follow a read, and when it names nothing.</summary>
public class FolderReadaheadTests
{
    private static (ErofsImage Image, ErofsInode Folder, List<ErofsInode> Files) Open()
    {
        TestCorpus.RequireDirectory();
        var image = ErofsImage.Open(TestCorpus.ImagePath("lz4"));
        var folder = image.Resolve("/sizes");
        var files = image.ListDirectory(folder).Where(e => e.FileType == Format.DirentFileType.RegularFile).Select(e => image.GetInode(e.Nid)).ToList();
        return (image, folder, files);
    }

    private static List<(ulong Nid, long Size)> After(FolderReadahead readahead, ErofsInode file)
    {
        var next = new List<(ulong, long)>();
        readahead.WholeFileRead(file.Nid, next);
        return next;
    }

    [Fact]
    public void AWalkInFolderOrderGetsTheFollowingSmallFilesOnceEach()
    {
        var (image, folder, files) = Open();
        using var _ = image;
        var readahead = new FolderReadahead(image);
        Assert.Empty(After(readahead, files[0])); // not listed yet: nothing known
        readahead.Learn(folder);

        var first = After(readahead, files[0]);
        Assert.NotEmpty(first);
        Assert.True(first.Count <= FolderReadahead.FilesAhead);
        Assert.True(first.Sum(f => f.Size) <= FolderReadahead.BytesAhead);
        Assert.All(first, f => Assert.True(f.Size is > 0 and <= FolderReadahead.SmallFileBytes));
        // in folder order, after the file read, each named once
        var order = files.Select(f => f.Nid).ToList();
        Assert.Equal(first.Select(f => order.IndexOf(f.Nid)).Order(), first.Select(f => order.IndexOf(f.Nid)));
        Assert.True(order.IndexOf(first[0].Nid) > 0);

        // the walk catches up with the named files: the next read names only files after them
        int last = order.IndexOf(first[^1].Nid);
        var second = After(readahead, files[last]);
        Assert.DoesNotContain(second, f => first.Any(n => n.Nid == f.Nid));
        Assert.All(second, f => Assert.True(order.IndexOf(f.Nid) > last));
    }

    [Fact]
    public void AReadOutOfOrderNamesNothing()
    {
        var (image, folder, files) = Open();
        using var _ = image;
        Assert.True(files.Count > 40);
        var readahead = new FolderReadahead(image);
        readahead.Learn(folder);
        Assert.Empty(After(readahead, files[30]));  // a random file, nothing read before it
        Assert.Empty(After(readahead, files[10]));  // backwards
        Assert.NotEmpty(After(readahead, files[11])); // the next one: a walk
    }

    [Fact]
    public void ACorruptNeighbourEndsTheRunInsteadOfFailingTheReadThatNamedIt()
    {
        TestCorpus.RequireDirectory();
        var bytes = File.ReadAllBytes(TestCorpus.ImagePath("lz4"));
        List<ulong> order;
        long position;
        using (var clean = ErofsImage.Open(new MemoryStream(bytes)))
        {
            order = clean.ListDirectory(clean.Resolve("/sizes")).Where(e => e.FileType == Format.DirentFileType.RegularFile).Select(e => e.Nid).ToList();
            position = (long)clean.Superblock.MetaBlockAddress * clean.BlockSize + (long)order[5] * 32;
        }
        bytes[position] = 0xFF; // i_format: a version and layout no image has
        bytes[position + 1] = 0xFF;
        using var image = ErofsImage.Open(new MemoryStream(bytes));
        Assert.ThrowsAny<Format.ErofsException>(() => image.GetInode(order[5]));

        var readahead = new FolderReadahead(image);
        readahead.Learn(image.Resolve("/sizes"));
        var next = new List<(ulong Nid, long Size)>();
        readahead.WholeFileRead(order[0], next);
        Assert.All(next, f => Assert.True(order.IndexOf(f.Nid) is > 0 and < 5));
    }
}
