using System.Collections.Concurrent;
using Erofs.Accel.Decompression.Backends.Qat;
using Erofs.Accel.Decompression.Backends.Qpl;

namespace Erofs.Accel.Decompression.Engine;

/// <summary>
/// Creates the accelerators by their policy names (qpl, qat, opencl). QPL and QAT are built in; accelerators that
/// live in their own assembly (OpenCL, so that this one does not pull Silk.NET) are registered by the program's
/// composition root with <see cref="Register"/> before it creates an engine.
/// </summary>
public static class AcceleratorCatalog
{
    private static readonly ConcurrentDictionary<string, Func<IDecompressionBackend>> Registered = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Makes <paramref name="name"/> creatable through <see cref="Create"/> (a later call replaces the factory). The
    /// factory must not throw for a missing library or device: it returns a backend that reports itself unavailable.
    /// </summary>
    public static void Register(string name, Func<IDecompressionBackend> factory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(factory);
        Registered[name.Trim()] = factory;
    }

    /// <summary>
    /// Creates the named accelerator with options from the environment ($EROFS_ACCEL_QPL_PATH, ...). Never throws
    /// for a missing library or device: the backend reports itself unavailable. A known name nobody registered gives
    /// an unavailable backend that says so; unknown names give null.
    /// </summary>
    public static IDecompressionBackend? Create(string name) => name.ToLowerInvariant() switch
    {
        QplBackend.BackendName => new QplBackend(QplBackendOptions.FromEnvironment()),
        QatBackend.BackendName => new QatBackend(QatBackendOptions.FromEnvironment()),
        var other when Registered.TryGetValue(other, out var factory) => factory(),
        var other when AccelerationPolicy.KnownAccelerators.Contains(other) => new UnregisteredAccelerator(other),
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

    /// <summary>A known accelerator whose assembly this program did not register: unavailable, with the reason.</summary>
    private sealed class UnregisteredAccelerator(string name) : IDecompressionBackend
    {
        public string Name => name;
        public BackendKind Kind => BackendKind.Accelerator;

        public BackendAvailability Availability => BackendAvailability.Unavailable(
            $"this program did not register '{name}' (the composition root references its assembly and calls its " +
            "registration, e.g. OpenClRegistration.Register from Erofs.Accel.Decompression.OpenCl)");

        public IReadOnlyCollection<CompressionAlgorithm> Algorithms => [];
        public bool Supports(in DecodeParameters parameters, int sourceLength) => false;

        public DecodeStatus Decode(ReadOnlySpan<byte> source, Span<byte> destination, in DecodeParameters parameters, out int bytesWritten)
        {
            bytesWritten = 0;
            return DecodeStatus.BackendFailure;
        }
    }
}
