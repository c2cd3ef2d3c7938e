using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Erofs.Accel.Service.Metrics;

/// <summary>
/// The daemon's instruments (meter <see cref="MeterName"/>), readable with <c>dotnet-counters</c> and OpenTelemetry
/// beside the engine's own meter (<c>Erofs.Accel.Decompression</c>). Per-image instruments carry the tag <c>image</c>.
/// Counters are observed from the same totals that <c>erofs-accel stats</c> shows, so the two always agree.
/// </summary>
public sealed class ServiceMetrics : IDisposable
{
    /// <summary>Name of the daemon's Meter (System.Diagnostics.Metrics).</summary>
    public const string MeterName = "Erofs.Accel.Service";

    private readonly Meter _meter;
    private readonly Histogram<double> _readDuration;

    /// <param name="snapshot">Current statistics; called when a listener collects observable instruments.</param>
    public ServiceMetrics(Func<ServiceStatistics> snapshot, IMeterFactory? factory = null)
    {
        _meter = factory?.Create(new MeterOptions(MeterName)) ?? new Meter(MeterName);
        _readDuration = _meter.CreateHistogram<double>("erofs_accel.service.read.duration", "s",
            "Time to answer a READ of a served image, by image");
        _meter.CreateObservableUpDownCounter("erofs_accel.service.images", () => (long)snapshot().Images.Count, "{image}",
            "Images the daemon serves");
        _meter.CreateObservableCounter("erofs_accel.service.requests", () => PerImage(snapshot(), i => i.Requests), "{request}",
            "FUSE requests answered, by image");
        _meter.CreateObservableCounter("erofs_accel.service.bytes_served", () => PerImage(snapshot(), i => i.BytesServed), "By",
            "File bytes returned by READ, by image");
        _meter.CreateObservableCounter("erofs_accel.service.errors", () => PerImage(snapshot(), i => i.Errors), "{request}",
            "Requests answered EIO because the image is corrupt or unreadable, by image");
        _meter.CreateObservableCounter("erofs_accel.service.decoded_cache.hits", () => snapshot().DecodedCache.Hits, "{pcluster}",
            "Decoded-pcluster cache hits");
        _meter.CreateObservableCounter("erofs_accel.service.decoded_cache.decodes", () => snapshot().DecodedCache.Decodes, "{pcluster}",
            "Pclusters decoded (cache misses)");
        _meter.CreateObservableUpDownCounter("erofs_accel.service.decoded_cache.bytes", () => snapshot().DecodedCache.CachedBytes, "By",
            "Decoded bytes held by the cache");
        _meter.CreateObservableUpDownCounter("erofs_accel.service.shared_nodes", () => snapshot().Sharing.SharedNodes, "{node}",
            "Files served as one node for several paths (equal content fingerprints)");
    }

    /// <summary>The Meter the daemon's instruments belong to.</summary>
    public Meter Meter => _meter;

    /// <summary>Records one READ's duration for the histogram instrument (only while someone listens).</summary>
    public void ReadCompleted(string image, TimeSpan elapsed)
    {
        if (_readDuration.Enabled) _readDuration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("image", image));
    }

    private static IEnumerable<Measurement<long>> PerImage(ServiceStatistics s, Func<ImageStatistics, long> value) =>
        s.Images.Select(i => new Measurement<long>(value(i), new KeyValuePair<string, object?>("image", i.Name)));

    /// <summary>Disposes the Meter and its instruments.</summary>
    public void Dispose() => _meter.Dispose();
}
