using System.Security.Cryptography;
using Erofs.Accel.Core.Caching;
using Erofs.Accel.Core.Export;
using Erofs.Accel.Testing;

namespace Erofs.Accel.Core.Tests;

/// <summary>The read plan, shared pieces, the content-keyed decoded cache and its sharing between images.</summary>
public sealed class ReadPathTests
{
    private static List<ErofsInode> RegularFiles(ErofsImage image) =>
        TreeWalker.Walk(image).Where(n => n.Inode.IsRegularFile && n.Inode.Size > 0)
            .GroupBy(n => n.Inode.Nid).Select(g => g.First().Inode).ToList();

    private static byte[] ReadInPieces(ErofsImage image, ErofsInode file, int piece)
    {
        var whole = new byte[file.Size];
        for (int at = 0; at < whole.Length; at += piece)
            Assert.Equal(Math.Min(piece, whole.Length - at), image.Read(file, at, whole.AsSpan(at, Math.Min(piece, whole.Length - at))));
        return whole;
    }

    [Theory]
    [InlineData("lz4hc-ztailpacking-fragments")]
    [InlineData("zstd-48bit")]
    [InlineData("chunk-blob")]
    [InlineData("plain-4k")]
    [InlineData("lz4hc-metabox-zD")]
    public void ReadsSplitIntoManyWindowsGiveTheSameBytes(string name)
    {
        using var normal = CorpusImages.Open(name);
        // two steps per window: every read of more than one extent or chunk crosses windows
        using var tiny = CorpusImages.Open(name, new ErofsImageOptions { StepsPerReadWindow = 2, DecodedCacheBytes = 1 << 20 });
        foreach (var file in RegularFiles(normal).Take(300))
        {
            var expected = normal.ReadAllBytes(file);
            Assert.Equal(expected, tiny.ReadAllBytes(tiny.GetInode(file.Nid)));
            if (expected.Length > 5000)
                Assert.Equal(expected.AsSpan(1000, 4000).ToArray(), ReadInPieces(tiny, tiny.GetInode(file.Nid), 4096).AsSpan(1000, 4000).ToArray());
        }
    }

    [Fact]
    public void CachedReadsOfACompressedFileAllocateNothing()
    {
        using var image = CorpusImages.Open("lz4hc-ztailpacking");
        var file = image.Resolve("/large/large-text.log");
        var buffer = new byte[4096];
        // warm up: every pcluster decoded into the cache, the JIT settled
        for (int pass = 0; pass < 3; pass++)
            for (long at = 0; at < (long)file.Size; at += 4096) image.Read(file, at, buffer);
        long decodes = image.DecodedCache.Decodes;
        long fewest = long.MaxValue;
        for (int round = 0; round < 5 && fewest > 0; round++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (long at = 0; at < (long)file.Size; at += 4096) image.Read(file, at, buffer);
            fewest = Math.Min(fewest, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        Assert.Equal(0, fewest);
        Assert.Equal(decodes, image.DecodedCache.Decodes); // all of it from the cache
    }

    /// <summary>A target like the FUSE reply: a buffer plus shared pieces, assembled in order; counts leases.</summary>
    private struct PieceCollector(int sharedPieces, int capacity) : IReadTarget
    {
        private readonly byte[] _buffer = new byte[capacity];
        private int _committed;
        public readonly List<(long Position, ReadOnlyMemory<byte> Piece, IDisposable Lease)> Shared = new();
        public readonly MemoryStream Assembled = new();
        private int _sharedLeft = sharedPieces;

        public readonly Span<byte> Buffer => _buffer.AsSpan(_committed);

        public void Advance(int count)
        {
            Assembled.Write(_buffer, _committed, count);
            _committed += count;
        }

        public readonly int SharedPiecesLeft => _sharedLeft;

        public void AddShared(ReadOnlyMemory<byte> piece, IDisposable lease)
        {
            Assert.True(_sharedLeft > 0);
            _sharedLeft--;
            Shared.Add((Assembled.Position, piece, lease));
            Assembled.Write(piece.Span);
        }
    }

    [Fact]
    public void CachedPiecesAreHandedOverSharedWithALeaseEach()
    {
        using var image = CorpusImages.Open("lz4hc-ztailpacking");
        var file = image.Resolve("/large/large-text.log");
        var expected = image.ReadAllBytes(file);
        ReadInPieces(image, file, 4096); // every pcluster cached
        foreach (var (offset, length, allowed) in new[] { (0L, 4096, 8), (12_345L, 40_000, 8), (100_000L, 64 << 10, 1), (5L, 3, 8) })
        {
            var target = new PieceCollector(allowed, length);
            int n = image.Read(file, offset, length, ref target);
            Assert.Equal(length, n);
            Assert.Equal(expected.AsSpan((int)offset, length).ToArray(), target.Assembled.ToArray());
            Assert.InRange(target.Shared.Count, length >= 1024 ? 1 : 0, allowed);
            // a leased piece stays valid after its entry is evicted and while other decodes reuse the pool's arrays
            image.DecodedCache.Clear();
            ReadInPieces(image, file, 4096);
            foreach (var (position, piece, _) in target.Shared)
                Assert.Equal(expected.AsSpan((int)(offset + position), piece.Length).ToArray(), piece.ToArray());
            foreach (var (_, _, lease) in target.Shared) lease.Dispose();
        }
    }

    [Fact]
    public void APlainSpanReadTakesNoSharedPieces()
    {
        using var image = CorpusImages.Open("lz4hc-C64k");
        var file = image.Resolve("/large/large-text.log");
        var expected = image.ReadAllBytes(file);
        var target = new SpanReadTarget(new byte[100]);
        Assert.Equal(0, target.SharedPiecesLeft);
        var buffer = new byte[10_000];
        Assert.Equal(10_000, image.Read(file, 777, buffer));
        Assert.Equal(expected.AsSpan(777, 10_000).ToArray(), buffer);
    }

    [Fact]
    public void EqualPclustersInTwoImagesAreDecodedOnce()
    {
        // the two images share 85 pclusters byte for byte, at other addresses (same tree, same compressor)
        using var alone = CorpusImages.Open("lz4hc-ztailpacking");
        var expected = RegularFiles(alone).ToDictionary(f => f.Nid, f => ReadInPieces(alone, f, 4096));
        long decodesAlone = alone.DecodedCache.Decodes;

        var shared = new DecodedPclusterCache(256L << 20);
        using var first = CorpusImages.Open("lz4hc-fragments", new ErofsImageOptions { DecodedCache = shared });
        using var second = CorpusImages.Open("lz4hc-ztailpacking", new ErofsImageOptions { DecodedCache = shared });
        Assert.Same(shared, first.DecodedCache);
        Assert.Same(shared, second.DecodedCache);
        Assert.Equal(2, shared.Images);
        foreach (var file in RegularFiles(first)) ReadInPieces(first, file, 4096);
        long afterFirst = shared.Decodes;
        Assert.Equal(0, shared.CrossImageHits);
        foreach (var file in RegularFiles(second)) Assert.Equal(expected[file.Nid], ReadInPieces(second, file, 4096));
        long decodesWithSharing = shared.Decodes - afterFirst;
        Assert.True(shared.CrossImageHits >= 80, $"{shared.CrossImageHits} cross-image hits");
        Assert.True(decodesWithSharing <= decodesAlone - 80, $"{decodesWithSharing} decodes with sharing, {decodesAlone} alone");
        Assert.True(shared.CachedBytes <= shared.CapacityBytes);
    }

    [Fact]
    public void ConcurrentReadersOfOnePclusterWaitForOneDecode()
    {
        using var image = CorpusImages.Open("lzma");
        var file = RegularFiles(image).Where(f => f.IsCompressed).MaxBy(f => f.Size)!;
        var extents = image.EnumerateExtents(file).Where(e => e.Kind == Data.ExtentKind.Compressed).Take(6).ToList();
        foreach (var extent in extents)
        {
            image.DecodedCache.Clear();
            long misses = image.DecodedCache.Misses;
            using var start = new Barrier(6);
            var results = new byte[6][];
            var readers = Enumerable.Range(0, 6).Select(i => new Thread(() =>
            {
                var buffer = new byte[100];
                start.SignalAndWait();
                image.Read(file, extent.LogicalStart + i, buffer);
                results[i] = buffer;
            })).ToList();
            readers.ForEach(t => t.Start());
            readers.ForEach(t => t.Join());
            Assert.Equal(1, image.DecodedCache.Misses - misses);
            var expected = new byte[105];
            image.Read(file, extent.LogicalStart, expected);
            for (int i = 0; i < 6; i++) Assert.Equal(expected.AsSpan(i, 100).ToArray(), results[i]);
        }
    }

    [Fact]
    public void AnImageWithoutCacheStillReadsCorrectly()
    {
        using var cached = CorpusImages.Open("lz4hc-ztailpacking-fragments");
        using var uncached = CorpusImages.Open("lz4hc-ztailpacking-fragments", new ErofsImageOptions { DecodedCacheBytes = 0 });
        foreach (var file in RegularFiles(cached).Take(200))
            Assert.Equal(SHA256.HashData(cached.ReadAllBytes(file)), SHA256.HashData(ReadInPieces(uncached, uncached.GetInode(file.Nid), 3000)));
        Assert.Equal(0, uncached.DecodedCache.CachedBytes);
        Assert.Equal(0, uncached.DecodedCache.Hits);
    }
}
