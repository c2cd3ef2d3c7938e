namespace Erofs.Accel.Decompression.OpenCl;

/// <summary>What discovery learnt about one OpenCL device (for the CLI's backends listing and for routing).</summary>
public sealed record OpenClDeviceInfo
{
    /// <summary>Index of the platform in clGetPlatformIDs order.</summary>
    public required int PlatformIndex { get; init; }

    /// <summary>Index of the device within its platform.</summary>
    public required int DeviceIndex { get; init; }

    /// <summary>CL_PLATFORM_NAME.</summary>
    public required string PlatformName { get; init; }
    /// <summary>CL_PLATFORM_VERSION.</summary>
    public required string PlatformVersion { get; init; }
    /// <summary>CL_DEVICE_NAME.</summary>
    public required string DeviceName { get; init; }
    /// <summary>CL_DEVICE_VENDOR.</summary>
    public required string DeviceVendor { get; init; }
    /// <summary>CL_DEVICE_VERSION.</summary>
    public required string DeviceVersion { get; init; }
    /// <summary>CL_DRIVER_VERSION.</summary>
    public required string DriverVersion { get; init; }
    /// <summary>CL_DEVICE_OPENCL_C_VERSION.</summary>
    public required string OpenClCVersion { get; init; }
    /// <summary>Device type (CPU, GPU, accelerator).</summary>
    public required OpenClDeviceKind Kind { get; init; }
    /// <summary>CL_DEVICE_MAX_COMPUTE_UNITS.</summary>
    public required int ComputeUnits { get; init; }
    /// <summary>CL_DEVICE_MAX_CLOCK_FREQUENCY, MHz.</summary>
    public required int MaxClockMHz { get; init; }
    /// <summary>CL_DEVICE_GLOBAL_MEM_SIZE, bytes.</summary>
    public required long GlobalMemoryBytes { get; init; }
    /// <summary>CL_DEVICE_MAX_MEM_ALLOC_SIZE: largest single buffer, bytes.</summary>
    public required long MaxAllocationBytes { get; init; }
    /// <summary>CL_DEVICE_LOCAL_MEM_SIZE: local memory per work-group, bytes.</summary>
    public required long LocalMemoryBytes { get; init; }
    /// <summary>CL_DEVICE_MAX_WORK_GROUP_SIZE.</summary>
    public required int MaxWorkGroupSize { get; init; }

    /// <summary>Host and device share memory (CPU devices, integrated GPUs): buffers can be used without copies.</summary>
    public required bool HostUnifiedMemory { get; init; }

    /// <summary>CL_DEVICE_ENDIAN_LITTLE (the kernels need little-endian devices).</summary>
    public required bool LittleEndian { get; init; }
    /// <summary>CL_DEVICE_AVAILABLE.</summary>
    public required bool Available { get; init; }
    /// <summary>CL_DEVICE_COMPILER_AVAILABLE (false: programs cannot be built on it).</summary>
    public required bool CompilerAvailable { get; init; }

    /// <summary>One line for listings.</summary>
    public override string ToString() =>
        $"[{PlatformIndex}.{DeviceIndex}] {DeviceName} ({Kind}, {ComputeUnits} CU @ {MaxClockMHz} MHz, " +
        $"{GlobalMemoryBytes >> 20} MiB global, {MaxAllocationBytes >> 20} MiB max alloc, {LocalMemoryBytes >> 10} KiB local" +
        $"{(HostUnifiedMemory ? ", unified memory" : "")}) on {PlatformName} {PlatformVersion}, driver {DriverVersion}";
}
