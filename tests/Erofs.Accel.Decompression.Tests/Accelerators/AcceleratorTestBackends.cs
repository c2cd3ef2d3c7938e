using Erofs.Accel.Decompression.Backends.Qat;
using Erofs.Accel.Decompression.Backends.Qpl;
using Erofs.Accel.Decompression.Engine;
using Erofs.Accel.Decompression.Tests.Engine.Support;
using Erofs.Accel.Testing;

namespace Erofs.Accel.Decompression.Tests.Accelerators;

/// <summary>
/// Accelerator backends on the paths that run without a device, through the real shims: QPL's software path and
/// QATzip's software failover (the QAT test mode). A test skips when the shim is absent, and fails instead where
/// <see cref="AcceleratorTests.ShimsRequired"/> (CI).
/// </summary>
internal static class AcceleratorTestBackends
{
    /// <summary>A QPL backend on QPL's CPU path.</summary>
    public static QplBackend QplSoftwarePath(int poolSize = 4, bool allowPartial = false)
    {
        var backend = new QplBackend(new QplBackendOptions
        {
            Path = AcceleratorPath.Software,
            PoolSize = poolSize,
            AllowPartialDecodes = allowPartial,
            NativeDirectories = [RepositoryPaths.NativeDirectory],
        });
        return Usable(backend, "QPL");
    }

    /// <summary>A QAT backend in its test mode (QATzip's software failover).</summary>
    public static QatBackend QatSoftwareFailover(int poolSize = 4)
    {
        var backend = new QatBackend(new QatBackendOptions
        {
            Path = AcceleratorPath.Software,
            PoolSize = poolSize,
            NativeDirectories = [RepositoryPaths.NativeDirectory],
        });
        return Usable(backend, "QAT");
    }

    private static T Usable<T>(T backend, string shim) where T : Erofs.Accel.Decompression.Engine.Native.ShimAcceleratorBackend
    {
        if (backend.Availability.IsAvailable) return backend;
        var why = backend.Availability.Detail;
        backend.Dispose();
        AcceleratorTests.ShimUnusable(shim, why);
        return backend;
    }
}
