using Erofs.Accel.Decompression.Engine;

namespace Erofs.Accel.Decompression.Backends.Qat;

/// <summary>Settings of <see cref="QatBackend"/>. Only <see cref="AcceleratorPath.Hardware"/> is supported.</summary>
public sealed record QatBackendOptions : AcceleratorBackendOptions
{
    /// <summary>Number of pooled QATzip sessions (decodes in flight).</summary>
    public const string SessionsVariable = "EROFS_ACCEL_QAT_SESSIONS";

    public override string? Validate() =>
        Path != AcceleratorPath.Hardware
            ? "QATzip 1.3 cannot be forced onto its CPU path while a device exists, so only the hardware path is offered"
            : base.Validate();

    /// <summary>Defaults, overridden by $EROFS_ACCEL_QAT_SESSIONS when set and valid.</summary>
    public static QatBackendOptions FromEnvironment()
    {
        var options = new QatBackendOptions();
        if (int.TryParse(Environment.GetEnvironmentVariable(SessionsVariable), out int n) && n is >= 1 and <= 256)
            options = options with { PoolSize = n };
        return options;
    }
}
