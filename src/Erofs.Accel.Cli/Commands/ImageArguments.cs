using Erofs.Accel.Core;
using Erofs.Accel.Core.Storage;
using Erofs.Accel.Decompression.Engine;

namespace Erofs.Accel.Cli.Commands;

/// <summary>How to open an image: its extra devices, where it starts, the decompression policy and limits.</summary>
internal sealed record ImageSettings
{
    /// <summary>Extra devices (blobs, tar files) in device-table order.</summary>
    public IReadOnlyList<string> Devices { get; init; } = Array.Empty<string>();

    /// <summary>Byte offset of the image inside the file or block device (an image embedded in a larger one).</summary>
    public long Offset { get; init; }

    /// <summary>The --accel policy text; null: $EROFS_ACCEL_POLICY or auto.</summary>
    public string? Accel { get; init; }

    public int CacheMegabytes { get; init; } = 128;
    public int MaxInflight { get; init; } = 256;

    /// <summary>Report which decompression backends served the reads (-v).</summary>
    public bool Verbose { get; init; }
}

/// <summary>
/// The options every image command shares: --device (extra devices), --offset (where the image starts), --accel
/// (acceleration policy), --cache-mb, --max-inflight and -v (report which decompression backends served the reads).
/// </summary>
internal static class ImageArguments
{
    public static readonly string[] ValueOptions = { "--device", "--offset", "--accel", "--cache-mb", "--max-inflight" };
    public static readonly string[] FlagOptions = { "-v", "--verbose" };

    public const int MaxCacheMegabytes = 65536, MaxInflight = 1 << 16;

    public static AccelerationPolicy Policy(CommandLine cl) => Policy(cl.Last("--accel"), "--accel");

    /// <param name="accel">The policy text, or null for $EROFS_ACCEL_POLICY / auto.</param>
    /// <param name="optionName">How the user named the option, for the message ("--accel", "accel=").</param>
    public static AccelerationPolicy Policy(string? accel, string optionName = "--accel")
    {
        try
        {
            return AccelerationPolicy.Resolve(accel);
        }
        catch (FormatException e)
        {
            throw new UsageException(accel is null ? e.Message : $"{optionName}: {e.Message}");
        }
    }

    /// <summary>Parses a byte offset ("--offset" or "offset="): a whole number of bytes, at least 0.</summary>
    public static long ParseOffset(string text, string optionName)
    {
        if (!long.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var offset))
            throw new UsageException($"option {optionName} needs a byte offset (a whole number, 0 or more), not '{text}'");
        return offset;
    }

    /// <summary>The shared options of a parsed command line.</summary>
    public static ImageSettings Settings(CommandLine cl)
    {
        var settings = new ImageSettings
        {
            Devices = cl.All("--device").ToArray(),
            Offset = cl.Last("--offset") is { } offset ? ParseOffset(offset, "--offset") : 0,
            Accel = cl.Last("--accel"),
            CacheMegabytes = cl.LastInt("--cache-mb", 0, MaxCacheMegabytes) ?? 128,
            MaxInflight = cl.LastInt("--max-inflight", 1, MaxInflight) ?? 256,
            Verbose = cl.Has("-v") || cl.Has("--verbose"),
        };
        Policy(settings.Accel); // refuse a bad --accel before anything is opened
        return settings;
    }

    /// <param name="concurrentReaders">Threads that will read at once: the engine then spreads one reader's batch over
    /// the remaining cores only, instead of over all of them (which would oversubscribe the machine).</param>
    public static ImageSession Open(string path, CommandLine cl, Microsoft.Extensions.Logging.ILogger? logger = null, int concurrentReaders = 1) =>
        Open(path, Settings(cl), logger, concurrentReaders);

    /// <summary>
    /// Opens the image (a regular file or a block device, from <see cref="ImageSettings.Offset"/> on) and its extra
    /// devices. Pipes, character devices and directories are refused with a one-line reason, before anything is read.
    /// </summary>
    public static ImageSession Open(string path, ImageSettings settings, Microsoft.Extensions.Logging.ILogger? logger = null, int concurrentReaders = 1)
    {
        var policy = Policy(settings.Accel);
        var sources = new List<IRandomAccessSource>();
        DecompressionEngine? engine = null;
        try
        {
            IRandomAccessSource primary = new FileSource(path);
            sources.Add(primary);
            if (settings.Offset != 0)
            {
                primary = new OffsetSource(primary, settings.Offset, ownsInner: false);
                sources.Add(primary);
            }
            var extras = new List<IRandomAccessSource>();
            foreach (var d in settings.Devices)
            {
                var device = new FileSource(d);
                sources.Add(device);
                extras.Add(device);
            }
            engine = DecompressionEngine.Create(new EngineOptions
            {
                Policy = policy,
                // without a logger of the command's own, warnings (breaker trips, native library lines raised with
                // $EROFS_ACCEL_NATIVE_LOG_LEVEL) still reach stderr
                Logger = logger ?? new LineLogger(Console.Error, Microsoft.Extensions.Logging.LogLevel.Warning),
                QueueCapacity = settings.MaxInflight,
                SoftwareParallelism = Math.Max(1, Environment.ProcessorCount / Math.Max(1, concurrentReaders)),
            });
            var image = ErofsImage.Open(primary, extras, new ErofsImageOptions
            {
                Decompressor = engine,
                DecodedCacheBytes = (long)settings.CacheMegabytes << 20,
            });
            return new ImageSession(image, engine, settings.Verbose, sources);
        }
        catch
        {
            engine?.Dispose();
            for (int i = sources.Count - 1; i >= 0; i--) sources[i].Dispose();
            throw;
        }
    }
}

/// <summary>An open image with the decompression engine serving it; prints backend counts on dispose with -v.</summary>
internal sealed class ImageSession : IDisposable
{
    private readonly bool _verbose;

    public ErofsImage Image { get; }
    public DecompressionEngine Engine { get; }

    /// <summary>Where -v output goes (stderr, so data on stdout stays clean).</summary>
    public TextWriter? VerboseOutput { get; set; }

    private readonly IReadOnlyList<IDisposable> _sources;

    internal ImageSession(ErofsImage image, DecompressionEngine engine, bool verbose, IReadOnlyList<IDisposable> sources)
    {
        Image = image;
        Engine = engine;
        _verbose = verbose;
        _sources = sources;
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
        for (int i = _sources.Count - 1; i >= 0; i--) _sources[i].Dispose();
    }
}
