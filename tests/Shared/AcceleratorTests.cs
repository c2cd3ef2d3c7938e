namespace Erofs.Accel.Testing;

/// <summary>
/// What a QPL or QAT test does when its shim is not usable. scripts/test.sh builds QPL, qatlib and QATzip from source,
/// builds the shims against them and sets <see cref="RequireVariable"/>=1: there, an unusable shim fails the test
/// instead of skipping it, so CI cannot silently stop running them. Only tests that need a real device (IAA, QAT)
/// skip, and say which device.
/// </summary>
public static class AcceleratorTests
{
    public const string RequireVariable = "EROFS_ACCEL_REQUIRE_SHIMS";

    public const string BuildHint =
        "build it: cmake -S <repo> -B build/native -DCMAKE_PREFIX_PATH=\"$(scripts/build-accel-deps.sh)\" && cmake --build build/native " +
        "(scripts/test.sh does both; see docs/engine.md)";

    /// <summary>True where the shims must be there (CI).</summary>
    public static bool ShimsRequired => Environment.GetEnvironmentVariable(RequireVariable) == "1";

    /// <summary>Skips the test — or fails it where the shims are required — because <paramref name="shim"/> is unusable.</summary>
    public static void ShimUnusable(string shim, string why)
    {
        string message = $"{shim} shim not usable here ({why}); {BuildHint}";
        if (ShimsRequired) Assert.Fail($"{message}. {RequireVariable}=1: this test must run.");
        Assert.Skip(message);
    }

    /// <summary>Skips a test that needs real hardware, naming it.</summary>
    public static void NeedsDevice(string device, string why) => Assert.Skip($"needs a {device} device: {why}");
}
