using System.Globalization;
using System.Text;
using System.Text.Json;
using Erofs.Accel.Service.Control;
using Erofs.Accel.Service.Metrics;

namespace Erofs.Accel.Service.Reporting;

/// <summary>What <c>erofs-accel list</c> and <c>stats</c> print: aligned text for people, indented JSON for tools.</summary>
public static class ServiceReports
{
    /// <summary>The served images as indented JSON (list --json).</summary>
    public static string ListJson(IReadOnlyList<MountInfo> mounts) =>
        JsonSerializer.Serialize(mounts.ToList(), ControlDisplayJsonContext.Default.ListMountInfo) + "\n";

    /// <summary>The statistics as indented JSON (stats --json).</summary>
    public static string StatisticsJson(ServiceStatistics statistics) =>
        JsonSerializer.Serialize(statistics, ControlDisplayJsonContext.Default.ServiceStatistics) + "\n";

    /// <summary>One line per served image: name, kind, where, image (and devices), policy, uptime, bytes served.</summary>
    public static string ListText(IReadOnlyList<MountInfo> mounts)
    {
        if (mounts.Count == 0) return "no images served\n";
        var rows = new List<string[]> { new[] { "NAME", "KIND", "LOCATION", "IMAGE", "POLICY", "UPTIME", "SERVED" } };
        foreach (var m in mounts)
        {
            var image = m.Devices.Count == 0 ? m.Image : $"{m.Image} +{string.Join(",", m.Devices)}";
            rows.Add(new[] { m.Name, m.Kind, m.Location, image, m.Policy, Duration(m.UptimeSeconds), Bytes(m.BytesServed) });
        }
        return Table(rows);
    }

    /// <summary>Per-image and per-backend counters, the decoded-pcluster cache and sharing.</summary>
    public static string StatisticsText(ServiceStatistics s)
    {
        var w = new StringBuilder();
        w.Append(CultureInfo.InvariantCulture, $"daemon pid {s.Pid}, up {Duration(s.UptimeSeconds)}, policy {s.Policy}, {s.Images.Count} image(s)\n\n");
        var images = new List<string[]> { new[] { "IMAGE", "KIND", "REQUESTS", "READS", "SERVED", "ERRORS", "P50 ms", "P99 ms", "CACHE HITS", "DECODES" } };
        foreach (var i in s.Images)
            images.Add(new[]
            {
                i.Name, i.Kind, Count(i.Requests), Count(i.Reads), Bytes(i.BytesServed), Count(i.Errors),
                Milliseconds(i.ReadLatency.P50Milliseconds), Milliseconds(i.ReadLatency.P99Milliseconds), Count(i.CacheHits), Count(i.CacheDecodes),
            });
        w.Append(Table(images)).Append('\n');
        var backends = new List<string[]> { new[] { "BACKEND", "ROLE", "REQUESTS", "SERVED", "FELL BACK", "IN", "OUT", "P50 ms", "P99 ms", "BREAKER" } };
        foreach (var b in s.Backends)
            backends.Add(new[]
            {
                b.Name, b.Role, Count(b.Requests), Count(b.Served), FallbackText(b), Bytes(b.BytesIn), Bytes(b.BytesOut),
                Milliseconds(b.Latency.P50Milliseconds), Milliseconds(b.Latency.P99Milliseconds), b.Breaker,
            });
        w.Append(Table(backends)).Append('\n');
        var c = s.DecodedCache;
        w.Append(CultureInfo.InvariantCulture,
            $"decoded-pcluster cache ({(c.SharedAcrossImages ? "one for all images, keyed by content" : "one per image")}): {Bytes(c.CachedBytes)} of {Bytes(c.CapacityBytes)}, {c.Hits} hits ({c.CrossImageHits} across images), {c.Decodes} decodes\n");
        var sh = s.Sharing;
        w.Append(CultureInfo.InvariantCulture,
            $"shared namespace: {sh.SharedNodes} shared node(s) for {sh.Holders} file(s), {sh.NodesAcrossImages} held by several images, {sh.CrossImageJoins} cross-image join(s)\n");
        return w.ToString();
    }

    private static string FallbackText(ServiceBackendStatistics b)
    {
        if (b.FallenBack == 0) return "0";
        return $"{b.FallenBack} ({string.Join(", ", b.FallbacksByReason.OrderByDescending(p => p.Value).Select(p => $"{p.Key} {p.Value}"))})";
    }

    private static string Table(List<string[]> rows)
    {
        var widths = new int[rows[0].Length];
        foreach (var row in rows)
            for (int i = 0; i < row.Length; i++) widths[i] = Math.Max(widths[i], row[i].Length);
        var w = new StringBuilder();
        foreach (var row in rows)
        {
            for (int i = 0; i < row.Length; i++)
            {
                if (i > 0) w.Append("  ");
                w.Append(i == row.Length - 1 ? row[i] : row[i].PadRight(widths[i]));
            }
            w.Append('\n');
        }
        return w.ToString();
    }

    private static string Count(long n) => n.ToString(CultureInfo.InvariantCulture);

    private static string Milliseconds(double ms) => ms.ToString("0.###", CultureInfo.InvariantCulture);

    internal static string Bytes(long n) => n switch
    {
        < 1024 => $"{n} B",
        < 1024 * 1024 => $"{n / 1024.0:0.0} KiB",
        < 1024L * 1024 * 1024 => $"{n / 1048576.0:0.0} MiB",
        _ => $"{n / 1073741824.0:0.00} GiB",
    };

    internal static string Duration(double seconds) => seconds switch
    {
        < 60 => $"{seconds:0}s",
        < 3600 => $"{(int)(seconds / 60)}m{(int)(seconds % 60):00}s",
        < 86400 => $"{(int)(seconds / 3600)}h{(int)(seconds % 3600 / 60):00}m",
        _ => $"{(int)(seconds / 86400)}d{(int)(seconds % 86400 / 3600):00}h",
    };
}
