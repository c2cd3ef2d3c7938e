using Erofs.Accel.Decompression.Backends.OpenCl;
using Erofs.Accel.Decompression.Backends.Qat;
using Erofs.Accel.Decompression.Backends.Qpl;

namespace Erofs.Accel.Decompression.Engine;

/// <summary>Creates the accelerators this library knows by their policy names (qpl, qat, opencl).</summary>
public static class AcceleratorCatalog
{
    /// <summary>
    /// Creates the named accelerator with options from the environment ($EROFS_ACCEL_QPL_PATH, ...). Never throws
    /// for a missing library or device: the backend reports itself unavailable. Unknown names give null.
    /// </summary>
    public static IDecompressionBackend? Create(string name) => name.ToLowerInvariant() switch
    {
        QplBackend.BackendName => new QplBackend(QplBackendOptions.FromEnvironment()),
        QatBackend.BackendName => new QatBackend(QatBackendOptions.FromEnvironment()),
        OpenClBackend.BackendName => OpenClBackend.Create(OpenClBackendOptions.FromEnvironment()),
        _ => null,
    };

    /// <summary>What a backend takes, in one line (for backends that do not say it themselves).</summary>
    public static string DescribeCapabilities(IDecompressionBackend backend) => backend switch
    {
        IAcceleratorBackend accelerator => accelerator.Capabilities,
        IBatchDecompressionBackend batch => $"{string.Join(", ", batch.Algorithms.Select(a => a.ToString().ToLowerInvariant()))} " +
                                            $"in batches of at least {(batch.MinimumBatchSize == int.MaxValue ? "(never: not worth it on this device)" : batch.MinimumBatchSize.ToString())}",
        Software.SoftwareBackend software => $"{software.Algorithm.ToString().ToLowerInvariant()}, " +
                                             (software.SupportsPartial ? "full and partial decodes" : "full decodes only"),
        _ => string.Join(", ", backend.Algorithms.Select(a => a.ToString().ToLowerInvariant())),
    };
}
