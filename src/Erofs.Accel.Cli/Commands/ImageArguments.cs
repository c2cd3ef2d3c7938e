using Erofs.Accel.Core;
using Erofs.Accel.Decompression.Engine;

namespace Erofs.Accel.Cli.Commands;

/// <summary>
/// The options every image command shares: --device (extra devices), --accel (acceleration policy) and -v (report
/// which decompression backends served the reads).
/// </summary>
public static class ImageArguments
{
    public static readonly string[] ValueOptions = { "--device", "--accel", "--cache-mb", "--max-inflight" };
    public static readonly string[] FlagOptions = { "-v", "--verbose" };

    public static AccelerationPolicy Policy(CommandLine cl)
    {
        try
        {
            return AccelerationPolicy.Resolve(cl.Last("--accel"));
        }
        catch (FormatException e)
        {
            throw new UsageException(cl.Last("--accel") is null ? e.Message : $"--accel: {e.Message}");
        }
    }

    /// <param name="concurrentReaders">Threads that will read at once: the engine then spreads one reader's batch over
    /// the remaining cores only, instead of over all of them (which would oversubscribe the machine).</param>
    public static ImageSession Open(string path, CommandLine cl, Microsoft.Extensions.Logging.ILogger? logger = null, int concurrentReaders = 1)
    {
        var policy = Policy(cl);
        if (!File.Exists(path))
            throw new IOException(Directory.Exists(path) ? $"{path}: is a directory, not an image file" : $"{path}: no such file");
        foreach (var d in cl.All("--device"))
            if (!File.Exists(d)) throw new IOException($"{d}: no such device file");
        var engine = DecompressionEngine.Create(new EngineOptions
        {
            Policy = policy,
            // without a logger of the command's own, warnings (breaker trips, native library lines raised with
            // $EROFS_ACCEL_NATIVE_LOG_LEVEL) still reach stderr
            Logger = logger ?? new LineLogger(Console.Error, Microsoft.Extensions.Logging.LogLevel.Warning),
            QueueCapacity = cl.LastInt("--max-inflight", 1, 1 << 16) ?? 256,
            SoftwareParallelism = Math.Max(1, Environment.ProcessorCount / Math.Max(1, concurrentReaders)),
        });
        try
        {
            var image = ErofsImage.Open(path, new ErofsImageOptions
            {
                ExtraDevicePaths = cl.All("--device").ToArray(),
                Decompressor = engine,
                DecodedCacheBytes = (long)(cl.LastInt("--cache-mb", 0, 65536) ?? 128) << 20,
            });
            return new ImageSession(image, engine, cl.Has("-v") || cl.Has("--verbose"));
        }
        catch
        {
            engine.Dispose();
            throw;
        }
    }
}

/// <summary>An open image with the decompression engine serving it; prints backend counts on dispose with -v.</summary>
public sealed class ImageSession : IDisposable
{
    private readonly bool _verbose;

    public ErofsImage Image { get; }
    public DecompressionEngine Engine { get; }

    /// <summary>Where -v output goes (stderr, so data on stdout stays clean).</summary>
    public TextWriter? VerboseOutput { get; set; }

    internal ImageSession(ErofsImage image, DecompressionEngine engine, bool verbose)
    {
        Image = image;
        Engine = engine;
        _verbose = verbose;
    }

    public void ReportBackends(TextWriter w)
    {
        w.WriteLine($"decompression (policy {Engine.Policy}):");
        foreach (var line in Engine.GetStatistics().Format()) w.WriteLine("  " + line);
        var c = Image.DecodedCache;
        w.WriteLine($"  decoded-pcluster cache: {c.Decodes} decodes, {c.Hits} hits, {c.CachedBytes} of {c.CapacityBytes} bytes held");
    }

    public void Dispose()
    {
        if (_verbose && VerboseOutput is { } w) ReportBackends(w);
        Image.Dispose();
        Engine.Dispose();
    }
}
