namespace Erofs.Accel.Decompression.Engine;

/// <summary>Lock-free running totals of one backend inside the engine.</summary>
internal sealed class BackendCounters
{
    private static readonly FallbackReason[] Reasons = Enum.GetValues<FallbackReason>();
    private readonly long[] _fallbacks = new long[Reasons.Max(r => (int)r) + 1];
    private long _requests;
    private long _served;
    private long _bytesIn;
    private long _bytesOut;
    private long _cancelled;

    public void Routed() => Interlocked.Increment(ref _requests);

    public void Served(int bytesIn, int bytesOut)
    {
        Interlocked.Increment(ref _served);
        Interlocked.Add(ref _bytesIn, bytesIn);
        Interlocked.Add(ref _bytesOut, bytesOut);
    }

    public void FellBack(FallbackReason reason) => Interlocked.Increment(ref _fallbacks[(int)reason]);

    public void Cancelled() => Interlocked.Increment(ref _cancelled);

    public BackendStatistics Snapshot(string name, BackendRole role, BreakerState breaker, long trips)
    {
        var byReason = new Dictionary<FallbackReason, long>();
        long total = 0;
        foreach (var reason in Reasons)
        {
            long n = Interlocked.Read(ref _fallbacks[(int)reason]);
            if (n == 0) continue;
            byReason[reason] = n;
            total += n;
        }
        return new BackendStatistics(name, role, Interlocked.Read(ref _requests), Interlocked.Read(ref _served), total, byReason,
            Interlocked.Read(ref _bytesIn), Interlocked.Read(ref _bytesOut), Interlocked.Read(ref _cancelled), breaker, trips);
    }
}
