namespace Erofs.Accel.Service.Metrics;

/// <summary>
/// Everything <c>erofs-accel stats</c> shows: the daemon, each served image, each decompression backend, the
/// decoded-pcluster cache and content sharing. Sent as JSON over the control socket; also rendered as text and as
/// Prometheus exposition by the client.
/// </summary>
public sealed record ServiceStatistics
{
    public int Pid { get; init; }
    public string Version { get; init; } = "";
    public double UptimeSeconds { get; init; }
    public string Policy { get; init; } = "";
    public List<ImageStatistics> Images { get; init; } = new();
    public List<ServiceBackendStatistics> Backends { get; init; } = new();
    public DecodedCacheStatistics DecodedCache { get; init; } = new();
    public SharingStatistics Sharing { get; init; } = new();
}

/// <summary>Totals of one served image.</summary>
public sealed record ImageStatistics
{
    public string Name { get; init; } = "";
    /// <summary>"mount" (a mount point of its own) or "namespace" (a folder of the shared namespace).</summary>
    public string Kind { get; init; } = "";
    public string Image { get; init; } = "";
    public long Requests { get; init; }
    public long Reads { get; init; }
    public long BytesServed { get; init; }
    /// <summary>Requests answered EIO (corrupt or unreadable image).</summary>
    public long Errors { get; init; }
    public LatencySummary ReadLatency { get; init; } = new();
    public long CacheHits { get; init; }
    public long CacheDecodes { get; init; }
}

/// <summary>Totals of one decompression backend of the daemon's engine (shared by every image).</summary>
public sealed record ServiceBackendStatistics
{
    public string Name { get; init; } = "";
    public string Role { get; init; } = "";
    public long Requests { get; init; }
    public long Served { get; init; }
    public long FallenBack { get; init; }
    public Dictionary<string, long> FallbacksByReason { get; init; } = new();
    public long BytesIn { get; init; }
    public long BytesOut { get; init; }
    public long Cancelled { get; init; }
    public string Breaker { get; init; } = "";
    /// <summary>Time from request to answer of the requests this backend served.</summary>
    public LatencySummary Latency { get; init; } = new();
}

/// <summary>The decoded-pcluster cache(s) of the daemon.</summary>
public sealed record DecodedCacheStatistics
{
    /// <summary>True when one cache, keyed by content, serves every image; false when each image has its own.</summary>
    public bool SharedAcrossImages { get; init; }
    public long CapacityBytes { get; init; }
    public long CachedBytes { get; init; }
    public long Hits { get; init; }
    public long Decodes { get; init; }
    /// <summary>Hits on a pcluster another image decoded (equal compressed bytes in two images decoded once).</summary>
    public long CrossImageHits { get; init; }
}

/// <summary>Files of the shared namespace served as one node for several paths (equal fingerprints and attributes).</summary>
public sealed record SharingStatistics
{
    /// <summary>Nodes that stand for files with a content fingerprint.</summary>
    public long SharedNodes { get; init; }
    /// <summary>(image, file) pairs behind those nodes.</summary>
    public long Holders { get; init; }
    /// <summary>Nodes held by at least two images: one page-cache copy where there would have been several.</summary>
    public long NodesAcrossImages { get; init; }
    /// <summary>Files that joined a node another image's file had created.</summary>
    public long CrossImageJoins { get; init; }
}
