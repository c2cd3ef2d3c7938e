namespace Erofs.Accel.Decompression.OpenCl;

/// <summary>What discovery learnt about one OpenCL device (for the CLI's backends listing and for routing).</summary>
public sealed record OpenClDeviceInfo
{
    /// <summary>Index of the platform in clGetPlatformIDs order.</summary>
    public required int PlatformIndex { get; init; }

    /// <summary>Index of the device within its platform.</summary>
    public required int DeviceIndex { get; init; }

    public required string PlatformName { get; init; }
    public required string PlatformVersion { get; init; }
    public required string DeviceName { get; init; }
    public required string DeviceVendor { get; init; }
    public required string DeviceVersion { get; init; }
    public required string DriverVersion { get; init; }
    public required string OpenClCVersion { get; init; }
    public required OpenClDeviceKind Kind { get; init; }
    public required int ComputeUnits { get; init; }
    public required int MaxClockMHz { get; init; }
    public required long GlobalMemoryBytes { get; init; }
    public required long MaxAllocationBytes { get; init; }
    public required long LocalMemoryBytes { get; init; }
    public required int MaxWorkGroupSize { get; init; }

    /// <summary>Host and device share memory (CPU devices, integrated GPUs): buffers can be used without copies.</summary>
    public required bool HostUnifiedMemory { get; init; }

    public required bool LittleEndian { get; init; }
    public required bool Available { get; init; }
    public required bool CompilerAvailable { get; init; }

    /// <summary>One line for listings.</summary>
    public override string ToString() =>
        $"[{PlatformIndex}.{DeviceIndex}] {DeviceName} ({Kind}, {ComputeUnits} CU @ {MaxClockMHz} MHz, " +
        $"{GlobalMemoryBytes >> 20} MiB global, {MaxAllocationBytes >> 20} MiB max alloc, {LocalMemoryBytes >> 10} KiB local" +
        $"{(HostUnifiedMemory ? ", unified memory" : "")}) on {PlatformName} {PlatformVersion}, driver {DriverVersion}";
}
