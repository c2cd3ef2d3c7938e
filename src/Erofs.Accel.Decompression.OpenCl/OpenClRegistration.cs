using Erofs.Accel.Decompression.Engine;

namespace Erofs.Accel.Decompression.OpenCl;

/// <summary>
/// Makes the OpenCL backend available to engines under its policy name ("opencl"): the composition root (CLI,
/// benchmarks, a service) calls <see cref="Register"/> once before it creates an engine.
/// </summary>
public static class OpenClRegistration
{
    /// <summary>
    /// Registers the factory; <paramref name="options"/> gives the options of each backend the engine creates
    /// (default: <see cref="OpenClBackendOptions.FromEnvironment"/>), and <paramref name="created"/> (if given) sees each
    /// backend made, e.g. to report its statistics. Calling again replaces the factory.
    /// </summary>
    public static void Register(Func<OpenClBackendOptions>? options = null, Action<OpenClBackend>? created = null) =>
        AcceleratorCatalog.Register(OpenClBackend.BackendName, [CompressionAlgorithm.Lz4, CompressionAlgorithm.Deflate], takesBatches: true, () =>
        {
            var backend = OpenClBackend.Create((options ?? OpenClBackendOptions.FromEnvironment)());
            created?.Invoke(backend);
            return backend;
        });
}
