using System.Numerics;

namespace Erofs.Accel.Service.Metrics;

/// <summary>
/// Latencies in a fixed set of log-linear buckets (8 per power of two, microsecond resolution below 16 µs, about 76
/// hours at the top): bounded memory, lock-free recording, percentiles within 12.5% of the true value.
/// </summary>
public sealed class LatencyHistogram
{
    private const int SubBucketBits = 3;
    private const int SubBuckets = 1 << SubBucketBits;
    private const int Octaves = 36;
    private const int BucketCount = Octaves * SubBuckets;

    private readonly long[] _counts = new long[BucketCount];
    private long _count;
    private long _sumMicroseconds;
    private long _maxMicroseconds;

    /// <summary>Records one duration.</summary>
    public void Record(TimeSpan elapsed) => RecordMicroseconds((long)elapsed.TotalMicroseconds);

    /// <summary>Records one duration, in microseconds.</summary>
    public void RecordMicroseconds(long microseconds)
    {
        if (microseconds < 0) microseconds = 0;
        Interlocked.Increment(ref _counts[BucketOf(microseconds)]);
        Interlocked.Increment(ref _count);
        Interlocked.Add(ref _sumMicroseconds, microseconds);
        long max = Volatile.Read(ref _maxMicroseconds);
        while (microseconds > max)
        {
            long seen = Interlocked.CompareExchange(ref _maxMicroseconds, microseconds, max);
            if (seen == max) break;
            max = seen;
        }
    }

    /// <summary>Count, mean, percentiles and maximum so far, in milliseconds.</summary>
    public LatencySummary Snapshot()
    {
        var counts = new long[BucketCount];
        long total = 0;
        for (int i = 0; i < BucketCount; i++) total += counts[i] = Volatile.Read(ref _counts[i]);
        long max = Volatile.Read(ref _maxMicroseconds);
        if (total == 0) return new LatencySummary();
        double Percentile(double p)
        {
            long rank = Math.Max(1, (long)Math.Ceiling(p * total));
            long seen = 0;
            for (int i = 0; i < BucketCount; i++)
            {
                seen += counts[i];
                if (seen >= rank) return Math.Min(UpperBound(i), max) / 1000.0;
            }
            return max / 1000.0;
        }
        return new LatencySummary
        {
            Count = total,
            MeanMilliseconds = Volatile.Read(ref _sumMicroseconds) / 1000.0 / total,
            P50Milliseconds = Percentile(0.50),
            P90Milliseconds = Percentile(0.90),
            P99Milliseconds = Percentile(0.99),
            P999Milliseconds = Percentile(0.999),
            MaxMilliseconds = max / 1000.0,
        };
    }

    internal static int BucketOf(long microseconds)
    {
        if (microseconds < 2 * SubBuckets) return (int)microseconds;
        int exponent = 63 - BitOperations.LeadingZeroCount((ulong)microseconds);
        int mantissa = (int)(microseconds >> (exponent - SubBucketBits)) & (SubBuckets - 1);
        return Math.Min((exponent - SubBucketBits + 1) * SubBuckets + mantissa, BucketCount - 1);
    }

    /// <summary>Largest value (µs) that falls in bucket <paramref name="index"/>.</summary>
    internal static long UpperBound(int index)
    {
        if (index < 2 * SubBuckets) return index;
        int exponent = index / SubBuckets + SubBucketBits - 1;
        long width = 1L << (exponent - SubBucketBits);
        return ((SubBuckets + index % SubBuckets) << (exponent - SubBucketBits)) + width - 1;
    }
}

/// <summary>A latency distribution in milliseconds (all zero when nothing was recorded).</summary>
public sealed record LatencySummary
{
    /// <summary>Durations recorded.</summary>
    public long Count { get; init; }
    /// <summary>Mean duration, milliseconds.</summary>
    public double MeanMilliseconds { get; init; }
    /// <summary>Median, milliseconds (bucket resolution).</summary>
    public double P50Milliseconds { get; init; }
    /// <summary>90th percentile, milliseconds.</summary>
    public double P90Milliseconds { get; init; }
    /// <summary>99th percentile, milliseconds.</summary>
    public double P99Milliseconds { get; init; }
    /// <summary>99.9th percentile, milliseconds.</summary>
    public double P999Milliseconds { get; init; }
    /// <summary>Longest duration, milliseconds.</summary>
    public double MaxMilliseconds { get; init; }
}
