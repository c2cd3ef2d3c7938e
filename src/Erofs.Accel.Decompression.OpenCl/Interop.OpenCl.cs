using Silk.NET.OpenCL;

namespace Erofs.Accel.Decompression.OpenCl;

/// <summary>
/// The OpenCL entry points (Silk.NET's bindings over the ICD loader libOpenCL.so.1), loaded once per process,
/// plus small helpers for error codes and info queries.
/// </summary>
internal static unsafe class OpenClNative
{
    public const int PlatformNotFoundKhr = -1001;

    private static readonly Lazy<(CL? Api, string? Error)> Loaded = new(Load, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The bindings, or null with the reason when the ICD loader cannot be loaded.</summary>
    public static CL? TryGetApi(out string? error)
    {
        var (api, e) = Loaded.Value;
        error = e;
        return api;
    }

    /// <summary>The bindings; only valid once <see cref="TryGetApi"/> succeeded (native handles exist).</summary>
    public static CL Api => Loaded.Value.Api ?? throw new InvalidOperationException("OpenCL is not loaded");

    private static (CL?, string?) Load()
    {
        try
        {
            var api = CL.GetApi();
            uint count = 0;
            // Touch one entry point so a missing library shows up here and not in the middle of discovery.
            api.GetPlatformIDs(0, null, &count);
            return (api, null);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or FileNotFoundException
                                       or BadImageFormatException or PlatformNotSupportedException or InvalidOperationException)
        {
            return (null, "OpenCL ICD loader (libOpenCL.so.1) not found: " + e.Message);
        }
    }

    public static void Check(int code, string call)
    {
        if (code != 0) throw new OpenClException(call, code);
    }

    public static string PlatformString(CL api, nint platform, PlatformInfo what)
    {
        nuint size = 0;
        if (api.GetPlatformInfo(platform, what, 0, null, &size) != 0 || size == 0) return "";
        var bytes = new byte[(int)size];
        fixed (byte* p = bytes)
            if (api.GetPlatformInfo(platform, what, size, p, null) != 0) return "";
        return DecodeCString(bytes);
    }

    public static string DeviceString(CL api, nint device, DeviceInfo what)
    {
        nuint size = 0;
        if (api.GetDeviceInfo(device, what, 0, null, &size) != 0 || size == 0) return "";
        var bytes = new byte[(int)size];
        fixed (byte* p = bytes)
            if (api.GetDeviceInfo(device, what, size, p, null) != 0) return "";
        return DecodeCString(bytes);
    }

    public static T DeviceValue<T>(CL api, nint device, DeviceInfo what) where T : unmanaged
    {
        T value = default;
        api.GetDeviceInfo(device, what, (nuint)sizeof(T), &value, null);
        return value;
    }

    private static string DecodeCString(byte[] bytes)
    {
        int n = Array.IndexOf(bytes, (byte)0);
        return System.Text.Encoding.UTF8.GetString(bytes, 0, n < 0 ? bytes.Length : n).Trim();
    }
}
