using System.Diagnostics;
using Erofs.Accel.Core.Export;
using Erofs.Accel.Format;
using Erofs.Accel.Core.Storage;
using Erofs.Accel.Testing;

namespace Erofs.Accel.Core.Tests;

/// <summary>Where an image can live: a regular file, a block device, an offset inside a larger file; never a pipe.</summary>
public sealed class StorageTests
{
    private static string ManifestOf(IRandomAccessSource primary, IReadOnlyList<IRandomAccessSource>? extras = null)
    {
        using var image = ErofsImage.Open(primary, extras);
        var sw = new StringWriter();
        new ManifestWriter(image) { Parallelism = 2 }.Write(sw);
        return sw.ToString();
    }

    [Fact]
    public void ASecondDescriptorReadsTheSameFileEvenAfterItIsUnlinked()
    {
        var path = Path.Combine(TestPaths.NewTempDirectory("second-fd"), "image.erofs");
        File.Copy(TestCorpus.ImagePath("lz4"), path);
        using var first = new FileSource(path);
        File.Delete(path);
        using var second = first.TryOpenSecondDescriptor();
        Assert.NotNull(second);
        Assert.Equal(first.Length, second.Length);
        var a = new byte[8192];
        var b = new byte[8192];
        Assert.Equal(a.Length, first.Read(4096, a));
        Assert.Equal(b.Length, second.Read(4096, b));
        Assert.Equal(a, b);
    }

    [Fact]
    public void MetadataIsReadThroughADescriptorOfItsOwnWhichDisposeCloses()
    {
        TestCorpus.RequireDirectory();
        // a copy no other test opens, so that the descriptors on it are this test's alone
        var path = Path.Combine(TestPaths.NewTempDirectory("metadata-fd"), "image.erofs");
        File.Copy(TestCorpus.ImagePath("lz4"), path);
        int Open() => Directory.GetFiles("/proc/self/fd").Count(fd =>
        {
            try { return new FileInfo(fd).LinkTarget == path; }
            catch (IOException) { return false; } // closed meanwhile by another test
        });
        using (var handle = File.OpenHandle(path))
        {
            using (var image = ErofsImage.Open(handle))
            {
                // the caller's handle, and one more for the metadata reader
                Assert.Equal(2, Open());
                Assert.NotEmpty(image.ListDirectory(image.Root));
            }
            Assert.Equal(1, Open());
        }
        Assert.Equal(0, Open());
    }

    [Fact]
    public void AFifoIsRefusedAtOnceWithoutWaitingForAWriter()
    {
        var dir = TestPaths.NewTempDirectory("fifo");
        try
        {
            var fifo = Path.Combine(dir, "image.erofs");
            using (var mk = Process.Start("mkfifo", fifo)) mk.WaitForExit();
            var open = Task.Run(() => new FileSource(fifo), TestContext.Current.CancellationToken);
            Assert.True(((IAsyncResult)open).AsyncWaitHandle.WaitOne(TimeSpan.FromSeconds(10)), "opening a FIFO blocked");
            var e = Assert.IsType<ErofsIoException>(open.Exception?.InnerException);
            Assert.Contains("is a pipe (FIFO), which cannot be read at random offsets", e.Message);
            Assert.DoesNotContain('\n', e.Message);
        }
        finally
        {
            TestPaths.DeleteTree(dir);
        }
    }

    [Theory]
    [InlineData("/dev/null", "is a character device")]
    [InlineData("/tmp", "is a directory, not an image file")]
    [InlineData("/nonexistent/image.erofs", "no such file")]
    public void WhatIsNotAFileOrBlockDeviceIsRefused(string path, string message)
    {
        var e = Assert.Throws<ErofsIoException>(() => new FileSource(path));
        Assert.Contains(message, e.Message);
        Assert.StartsWith(path, e.Message);
    }

    [Fact]
    public void AnImageAtAnOffsetReadsByteExactly()
    {
        var name = "lz4";
        var image = File.ReadAllBytes(TestCorpus.ImagePath(name));
        var dir = TestPaths.NewTempDirectory("offset");
        try
        {
            var path = Path.Combine(dir, "disk.img");
            const int offset = 1 << 20 | 512;
            var disk = new byte[offset + image.Length + 4096];
            Random.Shared.NextBytes(disk.AsSpan(0, offset));
            image.CopyTo(disk, offset);
            File.WriteAllBytes(path, disk);
            using var source = new OffsetSource(new FileSource(path), offset);
            Assert.Equal(disk.Length - offset, source.Length);
            Assert.Equal(CorpusImages.ExpectedManifest(name), ManifestOf(source));
            Assert.Throws<ErofsIoException>(() => new OffsetSource(new FileSource(path), disk.Length));
            Assert.ThrowsAny<ErofsException>(() => ErofsImage.Open(new OffsetSource(new FileSource(path), offset - 4096), null));
        }
        finally
        {
            TestPaths.DeleteTree(dir);
        }
    }

    [Fact]
    public void ALoopBlockDeviceReadsByteExactly()
    {
        if (Environment.UserName != "root" || !File.Exists("/sbin/losetup")) Assert.Skip("needs root and losetup (util-linux) for a loop device");
        var dir = TestPaths.NewTempDirectory("loop");
        // copies: some filesystems (the corpus may sit on one) cannot back a loop device
        string Copy(string file)
        {
            var copy = Path.Combine(dir, Path.GetFileName(file));
            File.Copy(file, copy);
            return copy;
        }
        foreach (var name in new[] { "lz4", "chunk-blob" })
        {
            var loops = new List<string> { Losetup(Copy(TestCorpus.ImagePath(name))) };
            try
            {
                foreach (var extra in TestCorpus.ExtraDevices(name)) loops.Add(Losetup(Copy(extra)));
                var sources = loops.Select(l => new FileSource(l)).ToList();
                try
                {
                    Assert.All(sources, s => Assert.Equal(FileSourceKind.BlockDevice, s.Kind));
                    Assert.Equal(new FileInfo(TestCorpus.ImagePath(name)).Length, sources[0].Length);
                    Assert.Equal(CorpusImages.ExpectedManifest(name), ManifestOf(sources[0], sources.Skip(1).ToList()));
                }
                finally
                {
                    foreach (var s in sources) s.Dispose();
                }
            }
            finally
            {
                foreach (var l in loops) Run("/sbin/losetup", "-d", l);
            }
        }
        TestPaths.DeleteTree(dir);
    }

    private static string Losetup(string file) => Run("/sbin/losetup", "--find", "--show", "--read-only", file).Trim();

    private static string Run(string program, params string[] args)
    {
        var psi = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEnd();
        var error = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) Assert.Skip($"{program} {string.Join(' ', args)} failed: {error.Trim()}");
        return output;
    }
}
