using System.Globalization;
using System.Text;

namespace Erofs.Accel.Service.Metrics;

/// <summary>
/// Renders <see cref="ServiceStatistics"/> in the Prometheus text exposition format (version 0.0.4): counters end in
/// <c>_total</c>, latencies are summaries in seconds with quantile labels, label values are escaped.
/// </summary>
public static class PrometheusWriter
{
    private static readonly (double Quantile, Func<LatencySummary, double> Value)[] Quantiles =
    {
        (0.5, l => l.P50Milliseconds), (0.9, l => l.P90Milliseconds), (0.99, l => l.P99Milliseconds), (0.999, l => l.P999Milliseconds),
    };

    /// <summary>The statistics in Prometheus text exposition format.</summary>
    public static string Write(ServiceStatistics s)
    {
        var w = new StringBuilder();
        Gauge(w, "erofs_accel_up_seconds", "Seconds since the daemon started", s.UptimeSeconds);
        Gauge(w, "erofs_accel_images", "Images the daemon serves", s.Images.Count);

        Family(w, "erofs_accel_image_requests_total", "counter", "FUSE requests answered, by image");
        foreach (var i in s.Images) Sample(w, "erofs_accel_image_requests_total", i.Requests, ("image", i.Name), ("kind", i.Kind));
        Family(w, "erofs_accel_image_reads_total", "counter", "READ requests answered, by image");
        foreach (var i in s.Images) Sample(w, "erofs_accel_image_reads_total", i.Reads, ("image", i.Name));
        Family(w, "erofs_accel_image_bytes_served_total", "counter", "File bytes returned by READ, by image");
        foreach (var i in s.Images) Sample(w, "erofs_accel_image_bytes_served_total", i.BytesServed, ("image", i.Name));
        Family(w, "erofs_accel_image_errors_total", "counter", "Requests answered EIO (corrupt or unreadable image), by image");
        foreach (var i in s.Images) Sample(w, "erofs_accel_image_errors_total", i.Errors, ("image", i.Name));
        Family(w, "erofs_accel_image_cache_hits_total", "counter", "Decoded-pcluster cache hits, by image");
        foreach (var i in s.Images) Sample(w, "erofs_accel_image_cache_hits_total", i.CacheHits, ("image", i.Name));
        Family(w, "erofs_accel_image_cache_misses_total", "counter", "Pclusters decoded for the image (cache misses)");
        foreach (var i in s.Images) Sample(w, "erofs_accel_image_cache_misses_total", i.CacheDecodes, ("image", i.Name));
        Summary(w, "erofs_accel_image_read_latency_seconds", "Time to answer a READ, by image",
            s.Images.Select(i => (i.ReadLatency, new[] { ("image", i.Name) })));

        Family(w, "erofs_accel_backend_requests_total", "counter", "Decompression requests routed to a backend");
        foreach (var b in s.Backends) Sample(w, "erofs_accel_backend_requests_total", b.Requests, ("backend", b.Name), ("role", b.Role));
        Family(w, "erofs_accel_backend_served_total", "counter", "Requests a backend decoded");
        foreach (var b in s.Backends) Sample(w, "erofs_accel_backend_served_total", b.Served, ("backend", b.Name));
        Family(w, "erofs_accel_backend_fallbacks_total", "counter", "Requests decoded in software instead, by backend and reason");
        foreach (var b in s.Backends)
            foreach (var (reason, n) in b.FallbacksByReason.OrderBy(p => p.Key, StringComparer.Ordinal))
                Sample(w, "erofs_accel_backend_fallbacks_total", n, ("backend", b.Name), ("reason", reason));
        Family(w, "erofs_accel_backend_bytes_in_total", "counter", "Compressed bytes a backend decoded");
        foreach (var b in s.Backends) Sample(w, "erofs_accel_backend_bytes_in_total", b.BytesIn, ("backend", b.Name));
        Family(w, "erofs_accel_backend_bytes_out_total", "counter", "Decoded bytes a backend produced");
        foreach (var b in s.Backends) Sample(w, "erofs_accel_backend_bytes_out_total", b.BytesOut, ("backend", b.Name));
        Summary(w, "erofs_accel_backend_latency_seconds", "Time from decompression request to answer, by backend",
            s.Backends.Select(b => (b.Latency, new[] { ("backend", b.Name) })));

        Gauge(w, "erofs_accel_decoded_cache_capacity_bytes", "Budget of the decoded-pcluster cache", s.DecodedCache.CapacityBytes);
        Gauge(w, "erofs_accel_decoded_cache_bytes", "Decoded bytes held by the cache", s.DecodedCache.CachedBytes);
        Counter(w, "erofs_accel_decoded_cache_hits_total", "Decoded-pcluster cache hits", s.DecodedCache.Hits);
        Counter(w, "erofs_accel_decoded_cache_misses_total", "Pclusters decoded (cache misses)", s.DecodedCache.Decodes);
        Counter(w, "erofs_accel_decoded_cache_cross_image_hits_total", "Hits on a pcluster another image decoded", s.DecodedCache.CrossImageHits);

        Gauge(w, "erofs_accel_shared_nodes", "Files served as one node for several paths", s.Sharing.SharedNodes);
        Gauge(w, "erofs_accel_shared_nodes_across_images", "Shared nodes held by at least two images", s.Sharing.NodesAcrossImages);
        Counter(w, "erofs_accel_shared_cross_image_joins_total", "Files that joined a node another image's file created", s.Sharing.CrossImageJoins);
        return w.ToString();
    }

    private static void Family(StringBuilder w, string name, string type, string help) =>
        w.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n').Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');

    private static void Gauge(StringBuilder w, string name, string help, double value)
    {
        Family(w, name, "gauge", help);
        Sample(w, name, value);
    }

    private static void Counter(StringBuilder w, string name, string help, double value)
    {
        Family(w, name, "counter", help);
        Sample(w, name, value);
    }

    private static void Summary(StringBuilder w, string name, string help, IEnumerable<(LatencySummary Latency, (string, string)[] Labels)> series)
    {
        Family(w, name, "summary", help);
        foreach (var (latency, labels) in series)
        {
            foreach (var (q, value) in Quantiles)
                Sample(w, name, value(latency) / 1000, labels.Append(("quantile", q.ToString(CultureInfo.InvariantCulture))).ToArray());
            Sample(w, name + "_sum", latency.MeanMilliseconds * latency.Count / 1000, labels);
            Sample(w, name + "_count", latency.Count, labels);
        }
    }

    private static void Sample(StringBuilder w, string name, double value, params (string Name, string Value)[] labels)
    {
        w.Append(name);
        if (labels.Length > 0)
        {
            w.Append('{');
            for (int i = 0; i < labels.Length; i++)
            {
                if (i > 0) w.Append(',');
                w.Append(labels[i].Name).Append("=\"");
                AppendEscaped(w, labels[i].Value);
                w.Append('"');
            }
            w.Append('}');
        }
        w.Append(' ').Append(FormatValue(value)).Append('\n');
    }

    /// <summary>Label values escape backslash, double quote and line feed.</summary>
    internal static void AppendEscaped(StringBuilder w, string value)
    {
        foreach (var c in value)
        {
            switch (c)
            {
                case '\\': w.Append("\\\\"); break;
                case '"': w.Append("\\\""); break;
                case '\n': w.Append("\\n"); break;
                default: w.Append(c); break;
            }
        }
    }

    private static string FormatValue(double value) =>
        double.IsNaN(value) ? "NaN" : double.IsPositiveInfinity(value) ? "+Inf" : double.IsNegativeInfinity(value) ? "-Inf"
        : value == Math.Floor(value) && Math.Abs(value) < 1e15 ? ((long)value).ToString(CultureInfo.InvariantCulture)
        : value.ToString("R", CultureInfo.InvariantCulture);
}
