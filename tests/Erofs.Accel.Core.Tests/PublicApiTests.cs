using System.Security.Cryptography;
using System.Text;
using Erofs.Accel.Core.Export;
using Erofs.Accel.Format;
using Erofs.Accel.Testing;

namespace Erofs.Accel.Core.Tests;

/// <summary>
/// The high-level API a .NET user reaches for first: ErofsImage.Open over a path, a Stream or a file handle;
/// entries with names, types, modes, owners, sizes and times; file contents as a seekable Stream.
/// </summary>
public sealed class PublicApiTests
{
    // plain, compressed with each algorithm family, an extra device, a metabox: a spread of layouts
    public static TheoryData<string> Images => new() { "plain-4k", "lz4hc-ztailpacking", "lzma-kitchen-sink", "zstd-48bit", "chunk-blob", "lz4hc-metabox-zD" };

    private static Dictionary<string, string[]> Manifest(string name) =>
        CorpusImages.ExpectedManifest(name).Split('\n').Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l.Split('\t')).ToDictionary(f => f[0], StringComparer.Ordinal);

    private static string TypeLetter(ErofsEntryType type) => type switch
    {
        ErofsEntryType.RegularFile => "f",
        ErofsEntryType.Directory => "d",
        ErofsEntryType.SymbolicLink => "l",
        ErofsEntryType.CharacterDevice => "c",
        ErofsEntryType.BlockDevice => "b",
        ErofsEntryType.Fifo => "p",
        _ => "s",
    };

    /// <summary>The entry's line as the manifest writes it (hardlink and xattr columns aside).</summary>
    private static string[] ManifestFieldsOf(ErofsEntry e)
    {
        string sha = "-";
        if (e.EntryType == ErofsEntryType.RegularFile)
        {
            using var stream = e.OpenRead();
            sha = Convert.ToHexStringLower(SHA256.HashData(stream));
        }
        return
        [
            ManifestEscaping.Escape(e.RawFullPath.Span),
            TypeLetter(e.EntryType),
            Convert.ToString((int)e.Mode, 8).PadLeft(4, '0'),
            e.Uid.ToString(),
            e.Gid.ToString(),
            e.Length.ToString(),
            e.LinkCount.ToString(),
            e.ModificationTime.ToUnixTimeSeconds().ToString(),
            e.EntryType == ErofsEntryType.SymbolicLink ? ManifestEscaping.Escape(e.RawLinkTarget.Span) : "-",
            e.EntryType is ErofsEntryType.CharacterDevice or ErofsEntryType.BlockDevice ? $"{e.DeviceMajor}:{e.DeviceMinor}" : "-",
            sha,
        ];
    }

    private static void AssertMatchesManifest(string name, IEnumerable<ErofsEntry> entries)
    {
        var manifest = Manifest(name);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var e in entries)
        {
            var got = ManifestFieldsOf(e);
            Assert.True(seen.Add(got[0]), $"{got[0]} listed twice");
            Assert.True(manifest.TryGetValue(got[0], out var want), $"{got[0]} is not in the manifest");
            Assert.Equal(string.Join('\t', want.Take(11)), string.Join('\t', got));
            Assert.Equal(Encoding.UTF8.GetString(e.RawName.Span), e.Name);
            Assert.Equal(e.Inode.Nid, e.Nid);
        }
        // every path but the root itself
        Assert.Equal(manifest.Count - 1, seen.Count);
    }

    [Theory]
    [MemberData(nameof(Images))]
    public void EnumerateEntriesReproducesTheManifest(string name)
    {
        using var image = CorpusImages.Open(name);
        AssertMatchesManifest(name, image.EnumerateEntries());
    }

    [Theory]
    [MemberData(nameof(Images))]
    public void ListingDirectoriesReproducesTheManifestWithTypesFromTheDirectoryEntries(string name)
    {
        using var image = CorpusImages.Open(name);
        AssertMatchesManifest(name, ListRecursively(image.GetEntry("/")!));
    }

    private static IEnumerable<ErofsEntry> ListRecursively(ErofsEntry directory)
    {
        foreach (var e in directory.EnumerateDirectory())
        {
            yield return e;
            if (e.EntryType == ErofsEntryType.Directory)
                foreach (var below in ListRecursively(e)) yield return below;
        }
    }

    [Fact]
    public void ListingLoadsNoInodeUntilAnAttributeNeedsIt()
    {
        using var image = CorpusImages.Open("plain-4k");
        var entries = image.EnumerateDirectory("/").ToList();
        Assert.NotEmpty(entries);
        Assert.DoesNotContain(entries, e => e.Name is "." or "..");
        foreach (var e in entries)
        {
            _ = e.Name;
            _ = e.FullPath;
            _ = e.EntryType;
            _ = e.Nid;
            Assert.False(e.InodeLoaded, $"{e.FullPath}: listing loaded the inode");
        }
        _ = entries[0].Mode;
        Assert.True(entries[0].InodeLoaded);
    }

    [Fact]
    public void NamesThatAreNotUtf8KeepTheirRawBytes()
    {
        using var image = CorpusImages.Open("plain-4k");
        byte[] raw = [.. "latin1-"u8, 0xe9, 0xff, 0xfe];
        var entry = Assert.Single(image.EnumerateDirectory("/names"), e => e.RawName.Span.SequenceEqual(raw));
        Assert.Equal("latin1-\uFFFD\uFFFD\uFFFD", entry.Name);
        byte[] rawPath = [.. "/names/"u8, .. raw];
        var byPath = image.GetEntry(rawPath);
        Assert.NotNull(byPath);
        Assert.Equal(entry.Nid, byPath.Nid);
        Assert.Equal(rawPath, byPath.RawFullPath.ToArray());
    }

    [Fact]
    public void GetEntryFindsPathsInAnySpellingAndReturnsNullForMissingOnes()
    {
        using var image = CorpusImages.Open("plain-4k");
        var root = image.GetEntry("/");
        Assert.NotNull(root);
        Assert.Equal(ErofsEntryType.Directory, root.EntryType);
        Assert.Equal("/", root.FullPath);
        Assert.Equal("", root.Name);
        Assert.Equal(image.RootNid, root.Nid);
        var child = image.GetEntry("acl/./dflt//child");
        Assert.NotNull(child);
        Assert.Equal("/acl/dflt/child", child.FullPath);
        Assert.Equal("child", child.Name);
        Assert.Null(image.GetEntry("/acl/no-such-file"));
        Assert.Null(image.GetEntry("/acl/dflt/child/below-a-file"));
    }

    [Fact]
    public void MisusedEntriesSayWhatIsWrong()
    {
        using var image = CorpusImages.Open("plain-4k");
        var dir = Assert.Throws<InvalidOperationException>(() => image.OpenRead("/acl"));
        Assert.Equal("/acl: is a directory, not a regular file", dir.Message);
        var notDir = Assert.Throws<ErofsNotFoundException>(() => image.EnumerateDirectory("/acl/dflt/child"));
        Assert.Equal(ErofsErrorKind.NotADirectory, notDir.Kind);
        var missing = Assert.Throws<ErofsNotFoundException>(() => image.OpenRead("/no/such"));
        Assert.Equal(ErofsErrorKind.NotFound, missing.Kind);
        Assert.Contains("no such file or directory", missing.Message);
        Assert.Throws<ErofsNotFoundException>(() => image.EnumerateEntries("/no-such-dir").ToList());
        var link = image.EnumerateEntries().First(e => e.EntryType == ErofsEntryType.SymbolicLink);
        Assert.NotNull(link.LinkTarget);
        var file = image.EnumerateEntries().First(e => e.EntryType == ErofsEntryType.RegularFile);
        Assert.Null(file.LinkTarget);
        Assert.True(file.RawLinkTarget.IsEmpty);
        Assert.Equal(0, file.DeviceMajor);
    }

    [Theory]
    [InlineData("lzma-kitchen-sink")]
    [InlineData("zstd-48bit")]
    [InlineData("lz4hc-fragments")]
    [InlineData("chunk-blob")]
    public void OpenReadStreamsReadWhatReadAllBytesReadsAtRandomSeeks(string name)
    {
        using var image = CorpusImages.Open(name);
        var random = new Random(19);
        var files = image.EnumerateEntries().Where(e => e.EntryType == ErofsEntryType.RegularFile)
            .OrderByDescending(e => e.Length).Take(12).ToList();
        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            var expected = image.ReadAllBytes(file.Inode);
            using var stream = file.OpenRead();
            Assert.True(stream.CanRead && stream.CanSeek && !stream.CanWrite);
            Assert.Equal(expected.Length, stream.Length);
            Assert.Equal(expected, ReadToEnd(stream));
            var buffer = new byte[70_000];
            for (int i = 0; i < 40; i++)
            {
                long at = random.Next(0, expected.Length + 10);
                switch (i % 3)
                {
                    case 0: Assert.Equal(at, stream.Seek(at, SeekOrigin.Begin)); break;
                    case 1: Assert.Equal(at, stream.Seek(at - stream.Position, SeekOrigin.Current)); break;
                    default: Assert.Equal(at, stream.Seek(at - expected.Length, SeekOrigin.End)); break;
                }
                int want = random.Next(0, buffer.Length);
                int n = stream.Read(buffer, 0, want);
                int available = (int)Math.Max(0, Math.Min(want, expected.Length - at));
                Assert.Equal(available, n);
                Assert.True(expected.AsSpan((int)Math.Min(at, expected.Length), n).SequenceEqual(buffer.AsSpan(0, n)), $"{file.FullPath}: bytes at {at} differ");
                Assert.Equal(at + n, stream.Position);
            }
        }
    }

    private static byte[] ReadToEnd(Stream stream)
    {
        var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    [Fact]
    public async Task TheFileStreamIsReadOnlyAndLeavesTheImageOpen()
    {
        using var image = CorpusImages.Open("lz4hc-ztailpacking");
        var file = image.EnumerateEntries().First(e => e.EntryType == ErofsEntryType.RegularFile && e.Length > 10_000);
        var stream = image.OpenRead(file.FullPath);
        Assert.Throws<NotSupportedException>(() => stream.Write([1, 2, 3]));
        Assert.Throws<NotSupportedException>(() => stream.WriteByte(1));
        Assert.Throws<NotSupportedException>(() => stream.SetLength(1));
        Assert.Throws<IOException>(() => stream.Seek(-1, SeekOrigin.Begin));
        var buffer = new byte[4096];
        stream.Position = 100;
        Assert.Equal(4096, await stream.ReadAsync(buffer, TestContext.Current.CancellationToken));
        Assert.Equal(image.ReadAllBytes(file.Inode).AsSpan(100, 4096).ToArray(), buffer);
        stream.Dispose();
        Assert.Throws<ObjectDisposedException>(() => stream.Read(buffer));
        Assert.False(stream.CanRead);
        // the image is still open
        Assert.Equal(file.Length, image.ReadAllBytes(file.Inode).Length);
    }

    private static string ManifestOf(ErofsImage image)
    {
        var sw = new StringWriter();
        new ManifestWriter(image) { Parallelism = 2 }.Write(sw, TestContext.Current.CancellationToken);
        return sw.ToString();
    }

    [Theory]
    [InlineData("lz4hc-ztailpacking")]
    [InlineData("chunk-blob")]
    public void AnImageOpensFromAFileStreamAndAMemoryStream(string name)
    {
        var options = new ErofsImageOptions { ExtraDevicePaths = TestCorpus.ExtraDevices(name).ToArray() };
        var path = TestCorpus.ImagePath(name);
        var expected = CorpusImages.ExpectedManifest(name);
        var file = File.OpenRead(path);
        using (var image = ErofsImage.Open(file, options))
            Assert.Equal(expected, ManifestOf(image));
        Assert.False(file.CanRead); // the image owned the stream

        var memory = new MemoryStream(File.ReadAllBytes(path));
        using (var image = ErofsImage.Open(memory, options, leaveOpen: true))
        {
            Assert.Equal(expected, ManifestOf(image));
            Assert.Contains("MemoryStream", image.Source.Description);
        }
        Assert.True(memory.CanRead); // leaveOpen kept it
    }

    [Fact]
    public void AnImageOpensFromAFileHandleThatStaysTheCallers()
    {
        const string name = "zstd-48bit";
        using var handle = File.OpenHandle(TestCorpus.ImagePath(name));
        using (var image = ErofsImage.Open(handle))
            Assert.Equal(CorpusImages.ExpectedManifest(name), ManifestOf(image));
        Assert.False(handle.IsClosed);
        Assert.Equal(new FileInfo(TestCorpus.ImagePath(name)).Length, RandomAccess.GetLength(handle));
    }

    [Fact]
    public void AStreamThatCannotSeekIsRefusedWithAClearMessage()
    {
        TestCorpus.RequireDirectory();
        var inner = new MemoryStream(File.ReadAllBytes(TestCorpus.ImagePath("plain-4k")));
        using var forwardOnly = new ForwardOnlyStream(inner);
        var e = Assert.Throws<ArgumentException>(() => ErofsImage.Open(forwardOnly));
        Assert.Equal("stream", e.ParamName);
        Assert.StartsWith("the stream (ForwardOnlyStream) cannot seek: an EROFS image is read at random offsets", e.Message);
        Assert.True(inner.CanRead); // refused before the image took it
    }

    [Fact]
    public void AHandleThatIsNotAFileIsRefused()
    {
        var dir = TestPaths.NewTempDirectory("api-handle");
        try
        {
            var closed = File.OpenHandle(TestCorpus.ImagePath("plain-4k"));
            closed.Dispose();
            Assert.Throws<ArgumentException>(() => ErofsImage.Open(closed));
            var empty = Path.Combine(dir, "empty");
            File.WriteAllBytes(empty, []);
            using var handle = File.OpenHandle(empty);
            var e = Assert.Throws<ErofsCorruptImageException>(() => ErofsImage.Open(handle));
            Assert.Contains("too small to be an EROFS image", e.Message);
        }
        finally
        {
            TestPaths.DeleteTree(dir);
        }
    }

    [Fact]
    public void ModificationTimesKeepNanosecondsAndClampOutsideTheRangeOfDateTimeOffset()
    {
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(-2147483648), ErofsEntry.ToDateTimeOffset(-2147483648, 0));
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1600000000).AddTicks(1234567), ErofsEntry.ToDateTimeOffset(1600000000, 123456789));
        Assert.Equal(DateTimeOffset.MaxValue, ErofsEntry.ToDateTimeOffset(long.MaxValue, 0));
        Assert.Equal(DateTimeOffset.MinValue, ErofsEntry.ToDateTimeOffset(long.MinValue, 0));
    }

    /// <summary>A readable stream that cannot seek, like a pipe or a network stream.</summary>
    private sealed class ForwardOnlyStream(Stream inner) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
