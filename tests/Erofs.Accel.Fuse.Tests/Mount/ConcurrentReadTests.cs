using System.Diagnostics;
using Erofs.Accel.Fuse.TestHost;
using Erofs.Accel.Fuse.Tests.TestSupport;
using Erofs.Accel.Fuse.Tests.TestSupport.Interop;
using Microsoft.Win32.SafeHandles;

namespace Erofs.Accel.Fuse.Tests.Mount;

/// <summary>
/// Sixteen readers hammer one mount with random ranges of many files; every byte must match. Half of them read with
/// O_DIRECT so their requests reach the server instead of the page cache.
/// </summary>
[Collection(FuseMountCollection.Name)]
public sealed class ConcurrentReadTests
{
    private const int Readers = 16;
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(4);

    [Theory]
    [MemberData(nameof(Transports.Both), MemberType = typeof(Transports))]
    public void SixteenReadersSeeExactBytes(FuseTransport transport)
    {
        using var mount = new MountedSynthetic(SyntheticFileSystem.CreateDefault(120, 100), transport: transport);
        var files = mount.FileSystem.Paths
            .Where(p => p.Node.Type == FileType.RegularFile && p.Node.Size > 0 && p.Node.ReadStyle is ReadStyle.IntoBuffer or ReadStyle.Segments or ReadStyle.Mixed)
            .ToArray();
        var handles = files.Select(f => File.OpenHandle(mount.PathOf(f.Path))).ToArray();
        var directHandles = files.Select(f => OpenDirect(mount.PathOf(f.Path))).ToArray();
        long reads = 0, bytes = 0, mismatches = 0;
        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var stopwatch = Stopwatch.StartNew();
        var threads = Enumerable.Range(0, Readers).Select(seed => new Thread(() =>
        {
            var random = new Random(seed * 7919);
            var buffer = new byte[2 << 20];
            try
            {
                while (stopwatch.Elapsed < Duration)
                {
                    var index = random.Next(files.Length);
                    var node = files[index].Node;
                    var offset = random.NextInt64(0, node.Size);
                    var length = (int)Math.Min(random.Next(1, buffer.Length), node.Size - offset);
                    var handle = seed % 2 == 0 ? directHandles[index] : handles[index];
                    var got = ReadFully(handle, buffer.AsSpan(0, length), offset);
                    Interlocked.Increment(ref reads);
                    Interlocked.Add(ref bytes, got);
                    if (got != length || !buffer.AsSpan(0, got).SequenceEqual(SyntheticContent.Range(node.Inode, offset, got)))
                    {
                        Interlocked.Increment(ref mismatches);
                        failures.Enqueue($"{files[index].Path} @{offset}+{length}: got {got}");
                    }
                }
            }
            catch (Exception e)
            {
                failures.Enqueue(e.ToString());
            }
        }) { IsBackground = true }).ToList();
        threads.ForEach(t => t.Start());
        foreach (var thread in threads) Assert.True(thread.Join(TimeSpan.FromSeconds(90)), "a reader hung");
        foreach (var handle in handles.Concat(directHandles)) handle.Dispose();

        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{reads} reads, {bytes / (1 << 20)} MiB in {stopwatch.Elapsed.TotalSeconds:F1} s; peak {mount.Server.PeakWorkerCount} workers, {mount.Server.RequestCount} requests");
        Assert.Empty(failures);
        Assert.Equal(0, mismatches);
        Assert.True(reads > Readers, $"only {reads} reads");
        if (transport == FuseTransport.Classic) Assert.True(mount.Server.PeakWorkerCount > 1, "workers should grow under load");
        Assert.True(mount.Server.PeakWorkerCount <= 16);
        mount.UnmountAndVerify();
    }

    private static SafeFileHandle OpenDirect(string path)
    {
        var fd = Libc.Open(path, Libc.DirectFlag);
        Assert.True(fd >= 0, $"open O_DIRECT {path}: errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()}");
        return new SafeFileHandle(fd, ownsHandle: true);
    }

    private static int ReadFully(SafeFileHandle handle, Span<byte> buffer, long offset)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var got = RandomAccess.Read(handle, buffer[total..], offset + total);
            if (got == 0) break;
            total += got;
        }
        return total;
    }
}
