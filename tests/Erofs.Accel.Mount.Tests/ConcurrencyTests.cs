using Erofs.Accel.Core.Export;
using Erofs.Accel.Fuse;
using Erofs.Accel.Testing;

namespace Erofs.Accel.Mount.Tests;

[Collection(MountCollection.Name)]
public class ConcurrencyTests
{
    [Theory]
    [MemberData(nameof(MountedImage.Transports), MemberType = typeof(MountedImage))]
    public void SixteenReadersOfRandomRangesSeeTheImageBytes(FuseTransport transport)
    {
        TestCorpus.RequireDirectory();
        using var mount = new MountedImage("multi-alg", TimeSpan.FromMinutes(3), transport: transport);
        var files = TreeWalker.Walk(mount.Image)
            .Where(n => n.Inode.IsRegularFile && n.Inode.Size > 0 && n.Path.AsSpan().IndexOfAnyInRange((byte)0x80, (byte)0xFF) < 0 && n.Path.AsSpan().IndexOfAnyInRange((byte)0, (byte)0x1F) < 0)
            .Select(n => (Path: System.Text.Encoding.UTF8.GetString(n.Path), Bytes: mount.Image.ReadAllBytes(n.Inode)))
            .ToList();
        Assert.True(files.Count > 100);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(6);
        long reads = 0, bytes = 0;
        var errors = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var threads = Enumerable.Range(0, 16).Select(t => new Thread(() =>
        {
            var rng = new Random(t);
            while (DateTime.UtcNow < deadline && errors.IsEmpty)
            {
                var (path, expected) = files[rng.Next(files.Count)];
                int off = rng.Next(expected.Length);
                int len = rng.Next(1, Math.Min(expected.Length - off, 300_000) + 1);
                var buf = new byte[len];
                using var h = File.OpenHandle(mount.MountPoint + path);
                int got = 0;
                while (got < len)
                {
                    int n = RandomAccess.Read(h, buf.AsSpan(got), off + got);
                    if (n <= 0) break;
                    got += n;
                }
                if (got != len || !buf.AsSpan().SequenceEqual(expected.AsSpan(off, len)))
                    errors.Enqueue($"{path} [{off}, +{len}): got {got} bytes, content {(got == len ? "differs" : "short")}");
                Interlocked.Increment(ref reads);
                Interlocked.Add(ref bytes, got);
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => Assert.True(t.Join(TimeSpan.FromMinutes(2)), "a reader hung"));
        Assert.True(errors.IsEmpty, string.Join("\n", errors.Take(5)));
        Assert.True(reads > 100, $"only {reads} reads");
    }
}
