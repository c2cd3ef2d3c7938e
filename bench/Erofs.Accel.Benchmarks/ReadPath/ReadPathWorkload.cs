using Erofs.Accel.Core;

namespace Erofs.Accel.Benchmarks.ReadPath;

/// <summary>
/// The reads the read-path benchmarks time: random 4 KiB reads and sequential 128 KiB reads of the largest regular
/// file of an image, through <see cref="ErofsImage.Read"/> (no FUSE). The image is
/// <c>$EROFS_BENCH_IMAGE</c>, or the corpus image lz4hc-C64k.erofs.
/// </summary>
public sealed class ReadPathWorkload : IDisposable
{
    public const int RandomReadBytes = 4096;
    public const int SequentialReadBytes = 128 << 10;

    private readonly long[] _offsets;
    private readonly byte[] _buffer = GC.AllocateUninitializedArray<byte>(SequentialReadBytes, pinned: true);
    private int _next;
    private long _sequential;

    public ReadPathWorkload(string imagePath, long decodedCacheBytes, int offsets = 1 << 16, int seed = 7)
    {
        ImagePath = imagePath;
        Image = ErofsImage.Open(imagePath, new ErofsImageOptions { DecodedCacheBytes = decodedCacheBytes });
        File = Erofs.Accel.Core.Export.TreeWalker.Walk(Image).Select(n => n.Inode).Where(i => i.IsRegularFile).MaxBy(i => i.Size)
            ?? throw new InvalidOperationException($"{imagePath} holds no regular file");
        var random = new Random(seed);
        long blocks = Math.Max(1, (long)File.Size / RandomReadBytes);
        _offsets = new long[offsets];
        for (int i = 0; i < offsets; i++) _offsets[i] = random.NextInt64(blocks) * RandomReadBytes;
    }

    public string ImagePath { get; }
    public ErofsImage Image { get; }
    public ErofsInode File { get; }

    /// <summary>The image the benchmarks read: $EROFS_BENCH_IMAGE or the corpus's lz4hc-C64k.erofs.</summary>
    public static string DefaultImagePath()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("EROFS_BENCH_IMAGE");
        if (!string.IsNullOrEmpty(fromEnvironment)) return fromEnvironment;
        var corpus = Environment.GetEnvironmentVariable("EROFS_ACCEL_CORPUS");
        if (string.IsNullOrEmpty(corpus))
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "..", "shared", "corpus");
                if (Directory.Exists(candidate)) { corpus = candidate; break; }
            }
        }
        return Path.Combine(corpus ?? ".", "lz4hc-C64k.erofs");
    }

    /// <summary>One random 4 KiB read (offsets cycle through a fixed pseudo-random list).</summary>
    public int RandomRead()
    {
        long offset = _offsets[_next];
        _next = (_next + 1) & (_offsets.Length - 1);
        return Image.Read(File, offset, _buffer.AsSpan(0, RandomReadBytes));
    }

    /// <summary>One sequential 128 KiB read, wrapping at the end of the file.</summary>
    public int SequentialRead()
    {
        if (_sequential >= (long)File.Size) _sequential = 0;
        int n = Image.Read(File, _sequential, _buffer);
        _sequential += n;
        return n;
    }

    /// <summary>Reads the whole file once (fills the decoded cache as far as it holds).</summary>
    public void ReadWholeFile()
    {
        for (long at = 0; at < (long)File.Size;)
            at += Image.Read(File, at, _buffer.AsSpan(0, RandomReadBytes));
    }

    public void Dispose() => Image.Dispose();
}
