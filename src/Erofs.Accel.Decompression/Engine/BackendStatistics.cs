namespace Erofs.Accel.Decompression.Engine;

/// <summary>
/// Totals of one backend since the engine started. For accelerators every request routed to the backend ends in
/// exactly one of: served, fallen back (decoded in software, see <see cref="FallbacksByReason"/>) or cancelled, so
/// <c>Requests == Served + FallenBack + Cancelled</c> once nothing is in flight. Requests that would have gone to an
/// unavailable (listed) or unhealthy backend count as its fallbacks.
/// </summary>
public sealed record BackendStatistics(
    string Name,
    BackendRole Role,
    long Requests,
    long Served,
    long FallenBack,
    IReadOnlyDictionary<FallbackReason, long> FallbacksByReason,
    long BytesIn,
    long BytesOut,
    long Cancelled,
    BreakerState Breaker,
    long BreakerTrips)
{
    /// <summary>One line, e.g. "qpl: 1200 requests, 1190 served, 10 fell back (TimedOut 7, WrongLength 3), breaker Closed".</summary>
    public override string ToString()
    {
        var text = $"{Name}: {Requests} requests, {Served} served";
        if (Role != BackendRole.Software)
        {
            text += $", {FallenBack} fell back";
            if (FallenBack > 0)
                text += " (" + string.Join(", ", FallbacksByReason.OrderByDescending(p => p.Value).Select(p => $"{p.Key} {p.Value}")) + ")";
        }
        if (Cancelled > 0) text += $", {Cancelled} cancelled";
        text += $", {BytesIn} B in, {BytesOut} B out";
        if (Role != BackendRole.Software) text += $", breaker {Breaker}" + (BreakerTrips > 0 ? $" (tripped {BreakerTrips}x)" : "");
        return text;
    }
}
