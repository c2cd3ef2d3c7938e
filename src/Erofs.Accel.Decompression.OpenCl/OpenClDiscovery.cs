using Silk.NET.OpenCL;

namespace Erofs.Accel.Decompression.OpenCl;

/// <summary>Lists the OpenCL platforms and devices of this machine.</summary>
public static unsafe class OpenClDiscovery
{
    /// <summary>Every device of every platform; empty with <paramref name="problem"/> set when there is none.</summary>
    public static IReadOnlyList<OpenClDeviceInfo> Discover(out string? problem) => DiscoverWithIds(out problem).Select(d => d.Info).ToArray();

    internal static IReadOnlyList<(OpenClDeviceInfo Info, nint Platform, nint Device)> DiscoverWithIds(out string? problem)
    {
        var list = new List<(OpenClDeviceInfo, nint, nint)>();
        var api = OpenClNative.TryGetApi(out problem);
        if (api is null) return list;
        uint platformCount = 0;
        int err = api.GetPlatformIDs(0, null, &platformCount);
        if (err == OpenClNative.PlatformNotFoundKhr || (err == 0 && platformCount == 0))
        {
            problem = "no OpenCL platform: the ICD loader found no driver (install pocl-opencl-icd or a GPU ICD under /etc/OpenCL/vendors)";
            return list;
        }
        if (err != 0)
        {
            problem = $"clGetPlatformIDs failed: {err} ({OpenClErrorNames.Describe(err)})";
            return list;
        }
        var platforms = new nint[platformCount];
        fixed (nint* pp = platforms)
            OpenClNative.Check(api.GetPlatformIDs(platformCount, pp, null), "clGetPlatformIDs");
        for (int pi = 0; pi < platforms.Length; pi++)
        {
            var platform = platforms[pi];
            uint deviceCount = 0;
            if (api.GetDeviceIDs(platform, DeviceType.All, 0, null, &deviceCount) != 0 || deviceCount == 0) continue;
            var devices = new nint[deviceCount];
            fixed (nint* pd = devices)
                if (api.GetDeviceIDs(platform, DeviceType.All, deviceCount, pd, null) != 0) continue;
            string platformName = OpenClNative.PlatformString(api, platform, PlatformInfo.Name);
            string platformVersion = OpenClNative.PlatformString(api, platform, PlatformInfo.Version);
            for (int di = 0; di < devices.Length; di++)
                list.Add((Describe(api, platform, devices[di], pi, di, platformName, platformVersion), platform, devices[di]));
        }
        if (list.Count == 0) problem = "OpenCL platforms exist but expose no device";
        return list;
    }

    // CL_DEVICE_OPENCL_C_VERSION and CL_DEVICE_HOST_UNIFIED_MEMORY are deprecated in 2.0/3.0 but still the way to
    // ask 1.2 devices, which most GPUs and PoCL's CPU device are.
#pragma warning disable CS0618
    private static OpenClDeviceInfo Describe(CL api, nint platform, nint device, int pi, int di, string platformName, string platformVersion)
    {
        var type = (DeviceType)OpenClNative.DeviceValue<ulong>(api, device, DeviceInfo.Type);
        var kind = type.HasFlag(DeviceType.Gpu) ? OpenClDeviceKind.Gpu
            : type.HasFlag(DeviceType.Cpu) ? OpenClDeviceKind.Cpu
            : type.HasFlag(DeviceType.Accelerator) ? OpenClDeviceKind.Accelerator
            : OpenClDeviceKind.Other;
        return new OpenClDeviceInfo
        {
            PlatformIndex = pi,
            DeviceIndex = di,
            PlatformName = platformName,
            PlatformVersion = platformVersion,
            DeviceName = OpenClNative.DeviceString(api, device, DeviceInfo.Name),
            DeviceVendor = OpenClNative.DeviceString(api, device, DeviceInfo.Vendor),
            DeviceVersion = OpenClNative.DeviceString(api, device, DeviceInfo.Version),
            DriverVersion = OpenClNative.DeviceString(api, device, DeviceInfo.DriverVersion),
            OpenClCVersion = OpenClNative.DeviceString(api, device, DeviceInfo.OpenclCVersion),
            Kind = kind,
            ComputeUnits = (int)OpenClNative.DeviceValue<uint>(api, device, DeviceInfo.MaxComputeUnits),
            MaxClockMHz = (int)OpenClNative.DeviceValue<uint>(api, device, DeviceInfo.MaxClockFrequency),
            GlobalMemoryBytes = (long)OpenClNative.DeviceValue<ulong>(api, device, DeviceInfo.GlobalMemSize),
            MaxAllocationBytes = (long)OpenClNative.DeviceValue<ulong>(api, device, DeviceInfo.MaxMemAllocSize),
            LocalMemoryBytes = (long)OpenClNative.DeviceValue<ulong>(api, device, DeviceInfo.LocalMemSize),
            MaxWorkGroupSize = (int)Math.Min(int.MaxValue, OpenClNative.DeviceValue<nuint>(api, device, DeviceInfo.MaxWorkGroupSize)),
            HostUnifiedMemory = OpenClNative.DeviceValue<uint>(api, device, DeviceInfo.HostUnifiedMemory) != 0 || kind == OpenClDeviceKind.Cpu,
            LittleEndian = OpenClNative.DeviceValue<uint>(api, device, DeviceInfo.EndianLittle) != 0,
            Available = OpenClNative.DeviceValue<uint>(api, device, DeviceInfo.Available) != 0,
            CompilerAvailable = OpenClNative.DeviceValue<uint>(api, device, DeviceInfo.CompilerAvailable) != 0,
        };
    }
#pragma warning restore CS0618
}
