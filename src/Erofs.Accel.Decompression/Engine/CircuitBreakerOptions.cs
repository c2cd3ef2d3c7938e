namespace Erofs.Accel.Decompression.Engine;

/// <summary>When the engine takes a failing backend out of rotation, and how it probes it again.</summary>
public sealed record CircuitBreakerOptions
{
    /// <summary>Consecutive failures (errors, timeouts, wrong lengths, wrong corrupt verdicts) that open the breaker.</summary>
    public int FailureThreshold { get; init; } = 5;

    /// <summary>First open period; doubled after each failed probe up to <see cref="MaxOpenDuration"/>.</summary>
    public TimeSpan OpenDuration { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Longest open period, however many probes failed.</summary>
    public TimeSpan MaxOpenDuration { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Failed probes in a row after which the backend is disabled for good (0 = never).</summary>
    public int MaxFailedProbes { get; init; } = 8;

    /// <summary>A one-line reason when a setting is out of range; null when all are valid.</summary>
    public string? Validate()
    {
        if (FailureThreshold < 1) return "FailureThreshold must be at least 1";
        if (OpenDuration <= TimeSpan.Zero) return "OpenDuration must be positive";
        if (MaxOpenDuration < OpenDuration) return "MaxOpenDuration must be at least OpenDuration";
        if (MaxFailedProbes < 0) return "MaxFailedProbes must not be negative";
        return null;
    }
}
