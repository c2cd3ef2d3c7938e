using Erofs.Accel.Decompression.OpenCl;

namespace Erofs.Accel.Decompression.Tests.OpenCl;

/// <summary>
/// One OpenCL backend per test run (PoCL's first compile takes seconds): default layout for the device, with guard
/// regions around every item in the device output buffer. The GPU-style layout and pinned staging are built on
/// first use. Tests skip with the reason when no OpenCL device is usable.
/// </summary>
public sealed class OpenClFixture : IDisposable
{
    public const int DeviceGuardBytes = 64;

    private readonly Lazy<OpenClBackend> main = new(() => OpenClBackend.Create(Options()));
    private readonly Lazy<OpenClBackend> groups = new(() => OpenClBackend.Create(Options() with
    {
        Layout = OpenClKernelLayout.WorkGroupPerItem,
        MemoryMode = OpenClMemoryMode.PinnedStaging,
        GroupSize = 32,
    }));

    public static OpenClBackendOptions Options() => new()
    {
        Calibrate = false,
        DebugGuardBytes = DeviceGuardBytes,
        BatchesInFlight = 3,
        MaxItemsPerBatch = 1024,
        InputBytesPerBatch = 8 << 20,
        OutputBytesPerBatch = 24 << 20,
        BatchDeadline = TimeSpan.FromSeconds(120),
    };

    /// <summary>The default backend; skips the test when it is unavailable.</summary>
    public OpenClBackend Backend => Require(main.Value);

    /// <summary>The work-group-per-item layout with pinned staging (the GPU code paths, run on whatever device exists).</summary>
    public OpenClBackend GroupBackend => Require(groups.Value);

    private static OpenClBackend Require(OpenClBackend backend)
    {
        if (!backend.Availability.IsAvailable) Assert.Skip("OpenCL backend unavailable: " + backend.Availability.Detail);
        return backend;
    }

    public void Dispose()
    {
        if (main.IsValueCreated) main.Value.Dispose();
        if (groups.IsValueCreated) groups.Value.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class OpenClCollection : ICollectionFixture<OpenClFixture>
{
    public const string Name = "OpenCL";
}
