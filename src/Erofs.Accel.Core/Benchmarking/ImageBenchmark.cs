using System.Diagnostics;
using Erofs.Accel.Core.Data;
using Erofs.Accel.Core.Export;
using Erofs.Accel.Decompression;

namespace Erofs.Accel.Core.Benchmarking;

/// <summary>Result of one measured phase.</summary>
public sealed record PhaseResult(string Name, long Items, long DecodedBytes, long CompressedBytes, double Seconds)
{
    /// <summary>Decoded bytes per second of the phase, in units of 10^6 bytes (0 when nothing was timed).</summary>
    public double MegabytesPerSecond => Seconds > 0 ? DecodedBytes / 1e6 / Seconds : 0;
}

/// <summary>
/// Measures an image through the library (no FUSE): (1) decode every compressed pcluster once, with the compressed
/// bytes already in memory, so only decompression is timed; (2) read every regular file fully with a cold decoded
/// cache, as an application would. Work is spread over <see cref="Threads"/> threads.
/// </summary>
public sealed class ImageBenchmark
{
    /// <summary>Threads that decode or read at once (default 1).</summary>
    public int Threads { get; init; } = 1;
    /// <summary>Size in bytes of each read when files are read whole (default 1 MiB).</summary>
    public int ReadBufferBytes { get; init; } = 1 << 20;

    /// <summary>Decodes every distinct compressed pcluster of the image.</summary>
    public PhaseResult DecodePclusters(ErofsImage image, IPclusterDecompressor decompressor)
    {
        var pclusters = image.EnumeratePclusters().ToList();
        long decoded = pclusters.Sum(p => (long)p.Parameters.OutputLength);
        long compressed = pclusters.Sum(p => (long)p.Source.Length);
        var outputs = pclusters.Select(p => new byte[p.Parameters.OutputLength]).ToArray();
        var sw = Stopwatch.StartNew();
        RunPartitioned(pclusters.Count, i =>
        {
            var p = pclusters[i];
            var r = decompressor.Decompress(p.Source, outputs[i], p.Parameters);
            if (!r.Succeeded)
                throw new ErofsCorruptImageException($"pcluster at {p.Extent.PhysicalAddress} did not decode: {r.Status}", p.Extent.PhysicalAddress, p.Inode.Nid);
        });
        sw.Stop();
        return new PhaseResult("decode-pclusters", pclusters.Count, decoded, compressed, sw.Elapsed.TotalSeconds);
    }

    /// <summary>Reads every regular file (each inode once) fully.</summary>
    public PhaseResult ReadFiles(ErofsImage image)
    {
        var files = TreeWalker.Walk(image).Where(n => n.Inode.IsRegularFile).GroupBy(n => n.Inode.Nid).Select(g => g.First().Inode).ToList();
        long total = 0;
        var sw = Stopwatch.StartNew();
        RunPartitioned(files.Count, i =>
        {
            var f = files[i];
            var buf = System.Buffers.ArrayPool<byte>.Shared.Rent(ReadBufferBytes);
            try
            {
                long off = 0, size = (long)f.Size;
                while (off < size)
                {
                    int n = image.Read(f, off, buf.AsSpan(0, (int)Math.Min(ReadBufferBytes, size - off)));
                    if (n <= 0) throw new ErofsCorruptImageException("file ended early", off, f.Nid);
                    off += n;
                }
                Interlocked.Add(ref total, size);
            }
            finally
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(buf);
            }
        });
        sw.Stop();
        return new PhaseResult("read-files", files.Count, total, 0, sw.Elapsed.TotalSeconds);
    }

    private void RunPartitioned(int count, Action<int> body)
    {
        if (Threads <= 1 || count < 2)
        {
            for (int i = 0; i < count; i++) body(i);
            return;
        }
        int next = -1;
        Exception? failure = null;
        var threads = Enumerable.Range(0, Threads).Select(_ => new Thread(() =>
        {
            try
            {
                int i;
                while (Volatile.Read(ref failure) is null && (i = Interlocked.Increment(ref next)) < count) body(i);
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref failure, e, null);
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        if (failure is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(failure).Throw();
    }
}
