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
    /// (default: <see cref="OpenClBackendOptions.FromEnvironment"/>). Calling again replaces the factory.
    /// </summary>
    public static void Register(Func<OpenClBackendOptions>? options = null) =>
        AcceleratorCatalog.Register(OpenClBackend.BackendName,
            () => OpenClBackend.Create((options ?? OpenClBackendOptions.FromEnvironment)()));
}
