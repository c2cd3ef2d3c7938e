using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;

namespace Erofs.Accel.Decompression.Engine;

/// <summary>Settings of a <see cref="DecompressionEngine"/>. Every value has a sensible default.</summary>
public sealed record EngineOptions
{
    /// <summary>Which accelerators may be used (default: $EROFS_ACCEL_POLICY, else auto).</summary>
    public AccelerationPolicy Policy { get; init; } = AccelerationPolicy.Resolve();

    /// <summary>Requests waiting per accelerator; producers wait (backpressure) when it is full.</summary>
    public int QueueCapacity { get; init; } = 256;

    /// <summary>Batches waiting per batch backend (OpenCL).</summary>
    public int BatchQueueCapacity { get; init; } = 4;

    /// <summary>
    /// Driver threads per accelerator that decodes one request at a time (QAT, other backends) or per batch backend;
    /// 0 = the backend's <see cref="IAcceleratorBackend.MaxConcurrency"/> (2 when it does not say, and for batch
    /// backends). QPL always has one driver keeping its whole job pool in flight.
    /// </summary>
    public int WorkersPerAccelerator { get; init; }

    /// <summary>
    /// Longest an accelerated request may take from queueing to answer; after that the engine decodes it in software
    /// (the accelerator's late output is discarded).
    /// </summary>
    public TimeSpan AcceleratorTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Longest a batch may take on a batch backend before its items are decoded in software.</summary>
    public TimeSpan BatchTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Decoded bytes one batch sent to a batch backend may hold (the engine stages them in private buffers).</summary>
    public long MaxBatchBytes { get; init; } = 64L << 20;

    /// <summary>When a failing backend is taken out of rotation and probed again.</summary>
    public CircuitBreakerOptions Breaker { get; init; } = new();

    /// <summary>
    /// Software decodes of one batch run in parallel when the batch has at least this many of them (and
    /// <see cref="SoftwareParallelism"/> &gt; 1).
    /// </summary>
    public int ParallelSoftwareThreshold { get; init; } = 8;

    /// <summary>
    /// ... and only when they decode to at least this many bytes in all: below it, handing work to other threads costs
    /// more than decoding (small pclusters decode in a microsecond or two).
    /// </summary>
    public long ParallelSoftwareMinBytes { get; init; } = 1L << 20;

    /// <summary>Threads used for the software part of a batch; default the processor count.</summary>
    public int SoftwareParallelism { get; init; } = Environment.ProcessorCount;

    /// <summary>How long <see cref="DecompressionEngine.DisposeAsync"/> waits for workers to finish.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Structured logs (breaker transitions, unavailable backends, fallbacks at debug level).</summary>
    public ILogger? Logger { get; init; }

    /// <summary>Environment variable naming <see cref="NativeLogLevel"/> (trace, debug, information, warning, error, none).</summary>
    public const string NativeLogLevelVariable = "EROFS_ACCEL_NATIVE_LOG_LEVEL";

    /// <summary>
    /// Level at which the accelerator libraries' own log lines (QATzip's errors and warnings, e.g. "no hardware, switch
    /// to SW if permitted") reach <see cref="Logger"/>; they never go to stderr. Default: $EROFS_ACCEL_NATIVE_LOG_LEVEL,
    /// else Debug (the engine reports what matters itself: an unavailable backend, a fallback).
    /// </summary>
    public LogLevel NativeLogLevel { get; init; } = ParseLogLevel(Environment.GetEnvironmentVariable(NativeLogLevelVariable)) ?? LogLevel.Debug;

    /// <summary>Parses a log level name (case-insensitive; "warn", "info" and "off" too); null when it is none.</summary>
    public static LogLevel? ParseLogLevel(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        "trace" => LogLevel.Trace,
        "debug" => LogLevel.Debug,
        "information" or "info" => LogLevel.Information,
        "warning" or "warn" => LogLevel.Warning,
        "error" => LogLevel.Error,
        "critical" => LogLevel.Critical,
        "none" or "off" => LogLevel.None,
        _ => null,
    };

    /// <summary>Creates the engine's <see cref="Meter"/>; null = a meter of its own named <see cref="DecompressionEngine.MeterName"/>.</summary>
    public IMeterFactory? MeterFactory { get; init; }

    /// <summary>Clock for timeouts and breaker periods (tests).</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Checks the numbers; returns a problem or null.</summary>
    public string? Validate()
    {
        if (QueueCapacity < 1) return "QueueCapacity must be at least 1";
        if (BatchQueueCapacity < 1) return "BatchQueueCapacity must be at least 1";
        if (WorkersPerAccelerator is < 0 or > 1024) return "WorkersPerAccelerator outside 0..1024";
        if (AcceleratorTimeout <= TimeSpan.Zero) return "AcceleratorTimeout must be positive";
        if (BatchTimeout <= TimeSpan.Zero) return "BatchTimeout must be positive";
        if (MaxBatchBytes < 4096) return "MaxBatchBytes must be at least 4096";
        if (ParallelSoftwareThreshold < 1) return "ParallelSoftwareThreshold must be at least 1";
        if (SoftwareParallelism < 1) return "SoftwareParallelism must be at least 1";
        if (ParallelSoftwareMinBytes < 0) return "ParallelSoftwareMinBytes must not be negative";
        if (ShutdownTimeout < TimeSpan.Zero) return "ShutdownTimeout must not be negative";
        return Breaker.Validate();
    }
}
