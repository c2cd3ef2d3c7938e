using System.Diagnostics;

namespace Erofs.Accel.Service.Metrics;

/// <summary>Running totals of one served image: requests, reads, bytes, errors and the latency of its reads.</summary>
public sealed class ImageCounters
{
    private long _requests;
    private long _reads;
    private long _bytesServed;
    private long _errors;

    /// <summary>FUSE requests answered.</summary>
    public long Requests => Interlocked.Read(ref _requests);
    /// <summary>READ requests answered.</summary>
    public long Reads => Interlocked.Read(ref _reads);
    /// <summary>File bytes returned by reads.</summary>
    public long BytesServed => Interlocked.Read(ref _bytesServed);
    /// <summary>Requests answered with EIO.</summary>
    public long Errors => Interlocked.Read(ref _errors);

    /// <summary>Time from a READ reaching the image to its bytes being ready.</summary>
    public LatencyHistogram ReadLatency { get; } = new();

    /// <summary>Counts one request.</summary>
    public void Request() => Interlocked.Increment(ref _requests);

    /// <summary>Counts one read of <paramref name="bytes"/> bytes that started at <paramref name="startTimestamp"/>; returns its duration.</summary>
    public TimeSpan Read(int bytes, long startTimestamp)
    {
        var elapsed = Stopwatch.GetElapsedTime(startTimestamp);
        Interlocked.Increment(ref _requests);
        Interlocked.Increment(ref _reads);
        Interlocked.Add(ref _bytesServed, bytes);
        ReadLatency.Record(elapsed);
        return elapsed;
    }

    /// <summary>Counts a failed request; returns the number of failures so far.</summary>
    public long Error() => Interlocked.Increment(ref _errors);
}
