using Erofs.Accel.Decompression.Backends.Qpl;
using Erofs.Accel.Decompression.Engine;
using Erofs.Accel.Decompression.Tests.Engine.Support;

namespace Erofs.Accel.Decompression.Tests.Accelerators;

/// <summary>QPL backends for tests: QPL's software path through the real shim, or a skip with the reason.</summary>
internal static class QplTestBackends
{
    public const string BuildHint =
        "build the shim: cmake -S <repo> -B build/native -DQPL_DIR=<qpl prefix>/lib/cmake/QPL && cmake --build build/native " +
        "(QPL >= 1.6 built from intel/qpl; see docs/engine.md)";

    /// <summary>A QPL backend on QPL's CPU path; skips the test when the shim or QPL is absent.</summary>
    public static QplBackend SoftwarePath(int poolSize = 4, bool allowPartial = false)
    {
        var backend = new QplBackend(new QplBackendOptions
        {
            Path = AcceleratorPath.Software,
            PoolSize = poolSize,
            AllowPartialDecodes = allowPartial,
            NativeDirectories = [RepositoryPaths.NativeDirectory],
        });
        if (!backend.Availability.IsAvailable)
        {
            var why = backend.Availability.Detail;
            backend.Dispose();
            Assert.Skip($"QPL shim not usable here ({why}); {BuildHint}");
        }
        return backend;
    }
}
