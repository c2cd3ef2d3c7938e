namespace Erofs.Accel.Decompression.Engine;

/// <summary>What the <c>backends</c> command prints about one backend.</summary>
public sealed record BackendDescription(
    string Name,
    BackendRole Role,
    bool IsAvailable,
    string Detail,
    IReadOnlyCollection<CompressionAlgorithm> Algorithms,
    string Capabilities,
    string? PathInUse,
    bool InPolicy,
    BreakerState Breaker)
{
    /// <summary>
    /// One line: name, role, availability (with the reason when unavailable), algorithms and limits, path in use.
    /// </summary>
    public override string ToString()
    {
        string state = IsAvailable ? "available" : "unavailable: " + Detail;
        string algorithms = string.Join(",", Algorithms.Select(a => a.ToString().ToLowerInvariant()));
        string text = $"{Name,-18} {Role.ToString().ToLowerInvariant(),-11} {algorithms,-10} {state}";
        if (IsAvailable) text += $" ({Detail})";
        text += $"; takes: {Capabilities}";
        if (PathInUse is not null) text += $"; path: {PathInUse}";
        if (Role != BackendRole.Software && !InPolicy) text += "; not used by the current policy";
        if (Breaker != BreakerState.Closed) text += $"; breaker {Breaker}";
        return text;
    }
}
