using Erofs.Accel.Decompression.OpenCl;

namespace Erofs.Accel.Decompression.Tests.OpenCl;

/// <summary>
/// One OpenCL backend per test run (PoCL's first compile takes seconds): default layout for the device, with guard
/// regions around every item in the device output buffer. The GPU-style layout and pinned staging are built on
/// first use. Tests skip with the reason when this machine has no OpenCL device or cannot build kernels (PoCL
/// without clang); a device that builds the kernels but fails at start-up (wrong warm-up results) fails them.
/// </summary>
public sealed class OpenClFixture : IDisposable
{
    public const int DeviceGuardBytes = 64;

    /// <summary>The device's default layout (one work-item per item on PoCL).</summary>
    public const string Items = "items";

    /// <summary>The GPU path: one work-group per item, pinned staging, rings up to 32 KiB.</summary>
    public const string Groups = "groups";

    /// <summary>The GPU path with a 4 KiB ring and 16 work-items: most items go through the ring in parts.</summary>
    public const string GroupsSmallRing = "groups-4k";

    public static readonly string[] LayoutNames = [Items, Groups, GroupsSmallRing];

    public static TheoryData<string> Layouts => new(LayoutNames);

    private readonly Lazy<OpenClBackend> main = new(() => OpenClBackend.Create(Options()));
    private readonly Lazy<OpenClBackend> groups = new(() => OpenClBackend.Create(Options() with
    {
        Layout = OpenClKernelLayout.WorkGroupPerItem,
        MemoryMode = OpenClMemoryMode.PinnedStaging,
        GroupSize = 32,
    }));
    private readonly Lazy<OpenClBackend> smallRing = new(() => OpenClBackend.Create(Options() with
    {
        Layout = OpenClKernelLayout.WorkGroupPerItem,
        MemoryMode = OpenClMemoryMode.PinnedStaging,
        GroupSize = 16,
        MaxGroupRingBytes = 4096,
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

    /// <summary>One of <see cref="Layouts"/>; skips the test when it is unavailable.</summary>
    public OpenClBackend For(string layout) => layout switch
    {
        Items => Backend,
        Groups => GroupBackend,
        GroupsSmallRing => Require(smallRing.Value),
        _ => throw new ArgumentOutOfRangeException(nameof(layout)),
    };

    private static OpenClBackend Require(OpenClBackend backend)
    {
        if (backend.Availability.IsAvailable) return backend;
        var detail = backend.Availability.Detail;
        if (detail.Contains("start-up failed")) Assert.Fail("OpenCL backend broken: " + detail);
        Assert.Skip("OpenCL backend unavailable: " + detail);
        return backend;
    }

    public void Dispose()
    {
        if (main.IsValueCreated) main.Value.Dispose();
        if (groups.IsValueCreated) groups.Value.Dispose();
        if (smallRing.IsValueCreated) smallRing.Value.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class OpenClCollection : ICollectionFixture<OpenClFixture>
{
    public const string Name = "OpenCL";
}
