namespace Erofs.Accel.Service.Metrics;

/// <summary>
/// Everything <c>erofs-accel stats</c> shows: the daemon, each served image, each decompression backend, the
/// decoded-pcluster cache and content sharing. Sent as JSON over the control socket; also rendered as text and as
/// Prometheus exposition by the client.
/// </summary>
public sealed record ServiceStatistics
{
    /// <summary>Process id of the daemon.</summary>
    public int Pid { get; init; }
    /// <summary>Version of the daemon's build.</summary>
    public string Version { get; init; } = "";
    /// <summary>Seconds since the daemon started.</summary>
    public double UptimeSeconds { get; init; }
    /// <summary>The engine's acceleration policy.</summary>
    public string Policy { get; init; } = "";
    /// <summary>One entry per served image.</summary>
    public List<ImageStatistics> Images { get; init; } = new();
    /// <summary>One entry per backend of the engine.</summary>
    public List<ServiceBackendStatistics> Backends { get; init; } = new();
    /// <summary>The decoded-pcluster cache.</summary>
    public DecodedCacheStatistics DecodedCache { get; init; } = new();
    /// <summary>Content sharing between images of the namespace.</summary>
    public SharingStatistics Sharing { get; init; } = new();
}

/// <summary>Totals of one served image.</summary>
public sealed record ImageStatistics
{
    /// <summary>The image's name.</summary>
    public string Name { get; init; } = "";
    /// <summary>"mount" (a mount point of its own) or "namespace" (a folder of the shared namespace).</summary>
    public string Kind { get; init; } = "";
    /// <summary>Path of the image file.</summary>
    public string Image { get; init; } = "";
    /// <summary>FUSE requests answered.</summary>
    public long Requests { get; init; }
    /// <summary>READ requests answered.</summary>
    public long Reads { get; init; }
    /// <summary>File bytes returned by reads.</summary>
    public long BytesServed { get; init; }
    /// <summary>Requests answered EIO (corrupt or unreadable image).</summary>
    public long Errors { get; init; }
    /// <summary>Time from a READ reaching the image to its bytes being ready.</summary>
    public LatencySummary ReadLatency { get; init; } = new();
    /// <summary>Reads of this image served from the decoded-pcluster cache.</summary>
    public long CacheHits { get; init; }
    /// <summary>Pclusters of this image decoded because the cache did not hold them.</summary>
    public long CacheDecodes { get; init; }
}

/// <summary>Totals of one decompression backend of the daemon's engine (shared by every image).</summary>
public sealed record ServiceBackendStatistics
{
    /// <summary>The backend's name.</summary>
    public string Name { get; init; } = "";
    /// <summary>What the engine uses the backend for (its role, as the engine names it).</summary>
    public string Role { get; init; } = "";
    /// <summary>Requests routed to the backend.</summary>
    public long Requests { get; init; }
    /// <summary>Requests the backend decoded.</summary>
    public long Served { get; init; }
    /// <summary>Requests that fell back to software after this backend was considered or tried.</summary>
    public long FallenBack { get; init; }
    /// <summary><see cref="FallenBack"/> per reason (the names of FallbackReason).</summary>
    public Dictionary<string, long> FallbacksByReason { get; init; } = new();
    /// <summary>Compressed bytes given to the backend.</summary>
    public long BytesIn { get; init; }
    /// <summary>Decoded bytes the backend produced.</summary>
    public long BytesOut { get; init; }
    /// <summary>Requests cancelled before the backend answered.</summary>
    public long Cancelled { get; init; }
    /// <summary>State of the backend's circuit breaker.</summary>
    public string Breaker { get; init; } = "";
    /// <summary>Time from request to answer of the requests this backend served.</summary>
    public LatencySummary Latency { get; init; } = new();
}

/// <summary>The decoded-pcluster cache(s) of the daemon.</summary>
public sealed record DecodedCacheStatistics
{
    /// <summary>True when one cache, keyed by content, serves every image; false when each image has its own.</summary>
    public bool SharedAcrossImages { get; init; }
    /// <summary>Most bytes the cache holds.</summary>
    public long CapacityBytes { get; init; }
    /// <summary>Bytes held now.</summary>
    public long CachedBytes { get; init; }
    /// <summary>Reads served from the cache.</summary>
    public long Hits { get; init; }
    /// <summary>Pclusters decoded into the cache.</summary>
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
