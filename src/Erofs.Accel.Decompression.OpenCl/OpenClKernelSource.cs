using System.Security.Cryptography;
using System.Text;

namespace Erofs.Accel.Decompression.OpenCl;

/// <summary>
/// The OpenCL C program of the backend, assembled from the embedded .cl resources: shared definitions, the LZ4
/// kernels, and the DEFLATE core instantiated twice (private 9-bit tables for one work-item per item, local 10-bit
/// tables and a local output ring for one work-group per item).
/// </summary>
internal static class OpenClKernelSource
{
    public const string Lz4Items = "lz4_items";
    public const string Lz4Groups = "lz4_groups";
    public const string DeflateItems = "deflate_items";
    public const string DeflateGroups = "deflate_groups";

    /// <summary>Local memory the group kernels use besides their ring (DEFLATE tables and shared words, rounded up).</summary>
    public const int GroupStaticLocalBytes = 6 << 10;

    private static readonly Lazy<string> Text = new(Assemble);

    public static string Source => Text.Value;

    public static string BuildOptions(string? extra) =>
        "-cl-std=CL1.2" + (string.IsNullOrWhiteSpace(extra) ? "" : " " + extra.Trim());

    /// <summary>Key of a compiled binary: device, driver, build options and source.</summary>
    public static string CacheKey(OpenClDeviceInfo device, string buildOptions)
    {
        var text = string.Join("\n", device.PlatformName, device.PlatformVersion, device.DeviceName, device.DeviceVendor,
            device.DeviceVersion, device.DriverVersion, buildOptions, Source);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    private static string Assemble()
    {
        var sb = new StringBuilder();
        sb.Append(Read("common.cl")).Append('\n');
        sb.Append(Read("lz4.cl")).Append('\n');
        sb.Append(Read("inflate_common.cl")).Append('\n');
        string core = Read("inflate_core.cl");
        const string undefine = "\n#undef DF\n#undef DF_AS\n#undef DF_GROUP\n#undef DF_FAST_BITS\n#undef DF_FAST_SIZE\n";
        sb.Append("#define DF(name) name##_priv\n#define DF_AS __private\n#define DF_GROUP 0\n#define DF_FAST_BITS 9\n")
          .Append(core).Append(undefine);
        sb.Append("#define DF(name) name##_loc\n#define DF_AS __local\n#define DF_GROUP 1\n#define DF_FAST_BITS 10\n")
          .Append(core).Append(undefine);
        sb.Append(Read("deflate.cl")).Append('\n');
        return sb.ToString();
    }

    private static string Read(string file)
    {
        var asm = typeof(OpenClKernelSource).Assembly;
        string name = "Erofs.Accel.Decompression.OpenCl.Kernels." + file;
        using var s = asm.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"embedded kernel source {name} missing");
        using var r = new StreamReader(s, Encoding.UTF8);
        return r.ReadToEnd();
    }
}
