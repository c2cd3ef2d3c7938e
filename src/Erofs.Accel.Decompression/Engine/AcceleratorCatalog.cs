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
    private static readonly ConcurrentDictionary<string, Entry> Registered = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// What the engine knows about a named accelerator before creating it (creating one loads its library and
    /// initialises the device, so the engine does it on first use only).
    /// </summary>
    internal sealed record Entry(string Name, IReadOnlyCollection<CompressionAlgorithm> Algorithms, bool TakesBatches,
        Func<IDecompressionBackend> Create);

    private static readonly Entry[] BuiltIn =
    [
        new(QplBackend.BackendName, [CompressionAlgorithm.Deflate], false, () => new QplBackend(QplBackendOptions.FromEnvironment())),
        new(QatBackend.BackendName, [CompressionAlgorithm.Deflate], false, () => new QatBackend(QatBackendOptions.FromEnvironment())),
    ];

    /// <summary>
    /// Makes <paramref name="name"/> creatable through <see cref="Create"/> (a later call replaces the factory).
    /// <paramref name="algorithms"/> and <paramref name="takesBatches"/> (an <see cref="IBatchDecompressionBackend"/>)
    /// say what it will take, so that the engine can route to it before creating it. The factory must not throw for
    /// a missing library or device: it returns a backend that reports itself unavailable.
    /// </summary>
    public static void Register(string name, IReadOnlyCollection<CompressionAlgorithm> algorithms, bool takesBatches,
        Func<IDecompressionBackend> factory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(algorithms);
        ArgumentNullException.ThrowIfNull(factory);
        Registered[name.Trim()] = new Entry(name.Trim().ToLowerInvariant(), algorithms.ToArray(), takesBatches, factory);
    }

    /// <summary>
    /// The entry of an accelerator by name: registered ones first, then the built-in ones; a known name nobody
    /// registered gives an entry whose backend says so; unknown names give null.
    /// </summary>
    internal static Entry? Find(string name)
    {
        if (Registered.TryGetValue(name, out var registered)) return registered;
        if (BuiltIn.FirstOrDefault(e => string.Equals(e.Name, name, StringComparison.OrdinalIgnoreCase)) is { } builtIn) return builtIn;
        var lower = name.ToLowerInvariant();
        return AccelerationPolicy.KnownAccelerators.Contains(lower)
            ? new Entry(lower, [], false, () => new UnregisteredAccelerator(lower))
            : null;
    }

    /// <summary>
    /// Creates the named accelerator with options from the environment ($EROFS_ACCEL_QPL_PATH, ...). Never throws
    /// for a missing library or device: the backend reports itself unavailable. A known name nobody registered gives
    /// an unavailable backend that says so; unknown names give null.
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
