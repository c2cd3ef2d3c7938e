using System.Security.Cryptography;
using Erofs.Accel.Core;
using Erofs.Accel.Core.Export;
using Erofs.Accel.Format;
using Erofs.Accel.Testing;

namespace Erofs.Accel.Core.Tests;

public class ReaderTests
{
    [Fact]
    public void LookupFindsEveryEntryOfALargeDirectoryAndMissesOthers()
    {
        using var image = CorpusImages.Open("plain-4k");
        var dir = image.Resolve("/big-dir");
        var names = image.ListDirectory(dir).ToList();
        Assert.True(names.Count > 5000);
        Assert.True(dir.Size > 4096 * 10);
        foreach (var e in names)
        {
            var found = image.Lookup(dir, e.Name);
            Assert.NotNull(found);
            Assert.Equal(e.Nid, found!.Nid);
        }
        Assert.Null(image.Lookup(dir, "no-such-entry"u8));
        Assert.Null(image.Lookup(dir, "\0"u8));
        Assert.Null(image.Lookup(dir, new byte[300]));
    }

    [Fact]
    public void ListingResumesFromAnyCookie()
    {
        using var image = CorpusImages.Open("plain-4k");
        var dir = image.Resolve("/big-dir");
        var all = image.ListDirectory(dir).ToList();
        foreach (int i in new[] { 0, 1, 17, 340, 341, 342, all.Count - 2 })
        {
            var rest = image.ListDirectory(dir, all[i].NextCookie).Select(e => e.NameText).ToList();
            Assert.Equal(all.Skip(i + 1).Select(e => e.NameText), rest);
        }
    }

    [Fact]
    public void ResolveFollowsIntermediateSymlinksAndDetectsLoops()
    {
        using var image = CorpusImages.Open("plain-4k");
        var viaLink = image.Resolve("/links/to-dir", followLastSymlink: true);
        Assert.Equal(image.Resolve("/links/dir").Nid, viaLink.Nid);
        Assert.True(image.Resolve("/links/to-dir").IsSymlink);
        var e = Assert.Throws<ErofsNotFoundException>(() => image.Resolve("/links/self-loop", followLastSymlink: true));
        Assert.Contains("too many levels", e.Message);
        Assert.Equal(ErofsErrorKind.NotADirectory, Assert.Throws<ErofsNotFoundException>(() => image.Resolve("/links/target.txt/x")).Kind);
        Assert.Null(image.TryResolve("/no/such/path"));
    }

    [Theory]
    [InlineData("plain-4k")]
    [InlineData("lz4")]
    [InlineData("lz4hc-C64k")]
    [InlineData("lzma-kitchen-sink")]
    [InlineData("zstd-48bit")]
    [InlineData("multi-alg")]
    [InlineData("chunk-blob")]
    public void RandomRangesEqualTheWholeFile(string name)
    {
        using var image = CorpusImages.Open(name);
        var rng = new Random(42);
        var files = TreeWalker.Walk(image).Where(n => n.Inode.IsRegularFile && n.Inode.Size > 0).ToList();
        foreach (var n in files.OrderBy(_ => rng.Next()).Take(60))
        {
            var whole = image.ReadAllBytes(n.Inode);
            for (int k = 0; k < 8; k++)
            {
                int off = rng.Next(whole.Length);
                int len = rng.Next(1, Math.Min(whole.Length - off, 70000) + 1);
                var part = new byte[len + 16];
                part.AsSpan().Fill(0xCD);
                int got = image.Read(n.Inode, off, part.AsSpan(0, len));
                Assert.Equal(len, got);
                Assert.True(whole.AsSpan(off, len).SequenceEqual(part.AsSpan(0, len)), $"{ManifestEscaping.Escape(n.Path)} [{off}, +{len})");
                Assert.All(part[len..], b => Assert.Equal(0xCD, b));
            }
            Assert.Equal(0, image.Read(n.Inode, whole.Length, new byte[10]));
            if (whole.Length >= 3) Assert.Equal(3, image.Read(n.Inode, whole.Length - 3, new byte[10]));
        }
    }

    [Fact]
    public void DecodedPclustersAreReusedAcrossReads()
    {
        using var image = CorpusImages.Open("lz4hc-C64k");
        var file = image.Resolve("/large/large-text.log");
        var whole = SHA256.HashData(image.ReadAllBytes(file));
        // many small reads: each pcluster is decoded once, cached, and served from the cache to the reads after it
        var buf = new byte[512];
        using var firstPass = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long before = image.DecodedCache.Decodes;
        for (long off = 0; off < (long)file.Size; off += 512) firstPass.AppendData(buf, 0, image.Read(file, off, buf));
        long decodes = image.DecodedCache.Decodes - before;
        int compressed = image.EnumerateExtents(file).Count(e => e.Kind == Data.ExtentKind.Compressed);
        Assert.InRange(decodes, 1, compressed);
        Assert.Equal(whole, firstPass.GetHashAndReset());
        // a second pass decodes nothing
        long after = image.DecodedCache.Decodes;
        for (long off = 0; off < (long)file.Size; off += 512) image.Read(file, off, buf);
        Assert.Equal(after, image.DecodedCache.Decodes);
    }

    [Fact]
    public void LargeReadsDecodeWholeExtentsStraightIntoTheCallersBuffer()
    {
        using var image = CorpusImages.Open("lz4hc-C64k");
        var file = image.Resolve("/large/large-text.log");
        var expected = image.ReadAllBytes(file);
        image.DecodedCache.Clear();
        // a read covering extents whole keeps none of them (the caller has them); only the extent it covers partly
        // (the last one here) is cached, for the read that will want the rest of it
        var extents = image.EnumerateExtents(file).ToList();
        Assert.True(extents.Count >= 2);
        var last = extents[^1];
        int length = expected.Length - 1000;
        Assert.True(last.LogicalStart < length);
        var buffer = new byte[length + 64];
        buffer.AsSpan().Fill(0xCD);
        Assert.Equal(length, image.Read(file, 0, buffer.AsSpan(0, length)));
        Assert.True(expected.AsSpan(0, length).SequenceEqual(buffer.AsSpan(0, length)));
        Assert.All(buffer[length..], b => Assert.Equal(0xCD, b));
        Assert.Equal(1, image.DecodedCache.Count);
        Assert.InRange(image.DecodedCache.CachedBytes, last.LogicalLength, last.LogicalLength + 4096 + Caching.DecodedPclusterCache.EntryOverheadBytes);
    }

    [Fact]
    public void LargeReadsDecodeEachPclusterOnceEvenWithoutACache()
    {
        using var cached = CorpusImages.Open("lz4hc-C64k");
        using var uncached = CorpusImages.Open("lz4hc-C64k", new ErofsImageOptions { DecodedCacheBytes = 0 });
        var file = uncached.Resolve("/large/large-text.log");
        int compressed = uncached.EnumerateExtents(file).Count(e => e.Kind == Data.ExtentKind.Compressed);
        Assert.True(compressed > 1);
        var whole = uncached.ReadAllBytes(file); // one read: the pclusters are decoded in one batch
        Assert.Equal(compressed, uncached.DecodedCache.Decodes);
        Assert.Equal(cached.ReadAllBytes(cached.Resolve("/large/large-text.log")), whole);
    }

    [Fact]
    public void ConcurrentReadersSeeTheSameBytes()
    {
        using var image = CorpusImages.Open("lzma");
        var files = TreeWalker.Walk(image).Where(n => n.Inode.IsRegularFile && n.Inode.Size > 0)
            .GroupBy(n => n.Inode.Nid).Select(g => g.First()).Take(80).ToList();
        var expected = files.ToDictionary(f => f.Inode.Nid, f => SHA256.HashData(image.ReadAllBytes(f.Inode)));
        image.DecodedCache.Clear();
        Parallel.For(0, 8, t =>
        {
            foreach (var f in files.Skip(t).Concat(files.Take(t)))
                Assert.Equal(expected[f.Inode.Nid], SHA256.HashData(image.ReadAllBytes(f.Inode)));
        });
    }

    [Fact]
    public void XattrsAndAclsByName()
    {
        using var image = CorpusImages.Open("plain-4k");
        var dflt = image.Resolve("/acl/dflt");
        var access = image.GetXattr(dflt, "system.posix_acl_access");
        Assert.NotNull(access);
        Assert.Equal(2u, BitConverter.ToUInt32(access!, 0));
        Assert.NotNull(image.GetXattr(dflt, "system.posix_acl_default"));
        Assert.Null(image.GetXattr(dflt, "user.absent"));
        Assert.Null(image.GetXattr(dflt, "bogus-namespace.x"));
        var root = image.Root;
        Assert.Equal("root-dir-xattr"u8.ToArray(), image.GetXattr(root, "user.root"));
        var many = image.Resolve("/xattr/many");
        var listed = image.ListXattrs(many);
        Assert.Equal(40, listed.Count);
        foreach (var x in listed) Assert.Equal(x.Value, image.GetXattr(many, x.Name));
    }

    [Fact]
    public void SymlinksAndSpecialFiles()
    {
        using var image = CorpusImages.Open("plain-4k");
        Assert.Equal(4095, image.ReadLink(image.Resolve("/links/s4095")).Length);
        var chr = image.Resolve("/links/chr");
        Assert.Equal(InodeType.CharDevice, chr.Type);
        Assert.Equal(10u, chr.RdevMajor);
        Assert.Equal(200u, chr.RdevMinor);
        Assert.Equal(ErofsErrorKind.NotASymlink, Assert.Throws<ErofsNotFoundException>(() => image.ReadLink(chr)).Kind);
        Assert.Equal(ErofsErrorKind.IsADirectory, Assert.Throws<ErofsNotFoundException>(() => image.Read(image.Root, 0, new byte[1])).Kind);
    }

    [Fact]
    public void HardlinksShareOneInode()
    {
        using var image = CorpusImages.Open("plain-4k");
        var a = image.Resolve("/links/hl-orig.txt");
        var b = image.Resolve("/links/hl-2.txt");
        Assert.Equal(a.Nid, b.Nid);
        Assert.Equal(3u, a.LinkCount);
    }

    [Fact]
    public void ImageFromMemoryEqualsImageFromFile()
    {
        var bytes = File.ReadAllBytes(TestCorpus.ImagePath("lz4"));
        using var fromMemory = ErofsImage.Open(new Storage.MemorySource(bytes));
        using var fromFile = CorpusImages.Open("lz4");
        var f1 = fromMemory.Resolve("/large/large-text.log");
        var f2 = fromFile.Resolve("/large/large-text.log");
        Assert.Equal(fromFile.ReadAllBytes(f2), fromMemory.ReadAllBytes(f1));
    }
}
