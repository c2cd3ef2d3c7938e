namespace Erofs.Accel.Decompression.Engine;

/// <summary>Health of a backend as the engine's circuit breaker sees it.</summary>
public enum BreakerState
{
    /// <summary>In rotation.</summary>
    Closed,

    /// <summary>Out of rotation after repeated failures, until the open period ends.</summary>
    Open,

    /// <summary>Open period over: one probe request is let through; its outcome closes or reopens the breaker.</summary>
    HalfOpen,

    /// <summary>Too many failed probes: out of rotation for the engine's lifetime.</summary>
    Disabled,
}
