using Erofs.Accel.Decompression.Engine;

namespace Erofs.Accel.Decompression.Backends.Qpl;

/// <summary>Settings of <see cref="QplBackend"/>.</summary>
public sealed record QplBackendOptions : AcceleratorBackendOptions
{
    /// <summary>"hardware" (default) or "software": QPL's CPU path, through the same shim and engine path.</summary>
    public const string PathVariable = "EROFS_ACCEL_QPL_PATH";

    /// <summary>Number of pooled QPL jobs (decodes in flight).</summary>
    public const string JobsVariable = "EROFS_ACCEL_QPL_JOBS";

    /// <summary>Defaults, overridden by $EROFS_ACCEL_QPL_PATH and $EROFS_ACCEL_QPL_JOBS when set and valid.</summary>
    public static QplBackendOptions FromEnvironment()
    {
        var options = new QplBackendOptions();
        if (TryParsePath(Environment.GetEnvironmentVariable(PathVariable), out var path)) options = options with { Path = path };
        if (int.TryParse(Environment.GetEnvironmentVariable(JobsVariable), out int jobs) && jobs is >= 1 and <= 256)
            options = options with { PoolSize = jobs };
        return options;
    }
}
