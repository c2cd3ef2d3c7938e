using Erofs.Accel.Decompression.Engine;

namespace Erofs.Accel.Decompression.Backends.Qat;

/// <summary>
/// Settings of <see cref="QatBackend"/>. <see cref="AcceleratorPath.Software"/> is a test mode: QATzip's own software
/// failover decodes (no QAT device needed); it is used only when asked for ($EROFS_ACCEL_QAT_PATH=software).
/// </summary>
public sealed record QatBackendOptions : AcceleratorBackendOptions
{
    /// <summary>"hardware" (default) or "software": QATzip's software failover, a test mode.</summary>
    public const string PathVariable = "EROFS_ACCEL_QAT_PATH";

    /// <summary>Number of pooled QATzip sessions (decodes in flight).</summary>
    public const string SessionsVariable = "EROFS_ACCEL_QAT_SESSIONS";

    /// <summary>Defaults, overridden by $EROFS_ACCEL_QAT_PATH and $EROFS_ACCEL_QAT_SESSIONS when set and valid.</summary>
    public static QatBackendOptions FromEnvironment()
    {
        var options = new QatBackendOptions();
        if (TryParsePath(Environment.GetEnvironmentVariable(PathVariable), out var path)) options = options with { Path = path };
        if (int.TryParse(Environment.GetEnvironmentVariable(SessionsVariable), out int n) && n is >= 1 and <= 256)
            options = options with { PoolSize = n };
        return options;
    }
}
