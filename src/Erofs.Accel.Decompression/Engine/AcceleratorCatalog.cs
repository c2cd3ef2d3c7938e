using Erofs.Accel.Decompression.Backends.OpenCl;
using Erofs.Accel.Decompression.Backends.Qat;
using Erofs.Accel.Decompression.Backends.Qpl;

namespace Erofs.Accel.Decompression.Engine;

/// <summary>Creates the accelerators this library knows by their policy names (qpl, qat, opencl).</summary>
public static class AcceleratorCatalog
{
    /// <summary>
    /// What the engine knows about a named accelerator before creating it (creating one loads its library and
    /// initialises the device, so the engine does it on first use only).
    /// </summary>
    internal sealed record Entry(string Name, IReadOnlyCollection<CompressionAlgorithm> Algorithms, bool TakesBatches,
        Func<IDecompressionBackend> Create);

    private static readonly Entry[] Entries =
    [
        new(QplBackend.BackendName, [CompressionAlgorithm.Deflate], false, () => new QplBackend(QplBackendOptions.FromEnvironment())),
        new(QatBackend.BackendName, [CompressionAlgorithm.Deflate], false, () => new QatBackend(QatBackendOptions.FromEnvironment())),
        new(OpenClBackend.BackendName, [CompressionAlgorithm.Lz4, CompressionAlgorithm.Deflate], true,
            () => OpenClBackend.Create(OpenClBackendOptions.FromEnvironment())),
    ];

    /// <summary>The entry of a known accelerator, or null.</summary>
    internal static Entry? Find(string name) =>
        Entries.FirstOrDefault(e => string.Equals(e.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// Creates the named accelerator with options from the environment ($EROFS_ACCEL_QPL_PATH, ...). Never throws
    /// for a missing library or device: the backend reports itself unavailable. Unknown names give null.
    /// </summary>
    public static IDecompressionBackend? Create(string name) => Find(name)?.Create();

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
