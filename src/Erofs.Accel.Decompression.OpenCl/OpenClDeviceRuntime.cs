using System.Text;
using Silk.NET.OpenCL;

namespace Erofs.Accel.Decompression.OpenCl;

/// <summary>Context and built program of the chosen device; each batch slot makes its own in-order queue.</summary>
internal sealed unsafe class OpenClDeviceRuntime : IDisposable
{
    private const int ContextPlatformProperty = 0x1084;

    public OpenClDeviceInfo Info { get; }
    public nint Device { get; }
    public OpenClContextHandle Context { get; }
    public OpenClProgramHandle Program { get; }

    /// <summary>"binary cache" when the program came from the cache, "compiled" when built from source.</summary>
    public string ProgramOrigin { get; }

    /// <summary>Key of the program: device, driver, build options and source (names the binary in the program cache).</summary>
    public string ProgramKey { get; }

    public TimeSpan BuildTime { get; }

    private OpenClDeviceRuntime(OpenClDeviceInfo info, nint device, OpenClContextHandle context, OpenClProgramHandle program,
        string origin, string key, TimeSpan buildTime)
    {
        ProgramKey = key;
        Info = info;
        Device = device;
        Context = context;
        Program = program;
        ProgramOrigin = origin;
        BuildTime = buildTime;
    }

    /// <summary>Creates everything for one device; throws <see cref="OpenClException"/> (with the build log on a build failure).</summary>
    public static OpenClDeviceRuntime Create(OpenClDeviceInfo info, nint platform, nint device, OpenClBackendOptions options)
    {
        var api = OpenClNative.Api;
        int err;
        var props = stackalloc nint[] { ContextPlatformProperty, platform, 0 };
        var ctx = OpenClHandle.Adopt<OpenClContextHandle>(api.CreateContext(props, 1, &device, null, null, &err), err, "clCreateContext");
        try
        {
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            var program = BuildProgram(api, ctx, device, info, options, out var origin, out var key);
            return new OpenClDeviceRuntime(info, device, ctx, program, origin, key, System.Diagnostics.Stopwatch.GetElapsedTime(started));
        }
        catch
        {
            ctx.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A new in-order queue. One per batch slot: on a GPU each queue is its own stream, so one slot's transfers run
    /// while another slot's kernels do. With <paramref name="profiling"/> its commands carry device timestamps.
    /// </summary>
    public OpenClQueueHandle CreateQueue(bool profiling)
    {
        int err;
        var properties = profiling ? CommandQueueProperties.ProfilingEnable : CommandQueueProperties.None;
        return OpenClHandle.Adopt<OpenClQueueHandle>(
            OpenClNative.Api.CreateCommandQueue(Context.Raw, Device, properties, &err), err, "clCreateCommandQueue");
    }

    public OpenClKernelHandle CreateKernel(string name)
    {
        int err;
        var bytes = Encoding.ASCII.GetBytes(name + "\0");
        fixed (byte* p = bytes)
            return OpenClHandle.Adopt<OpenClKernelHandle>(OpenClNative.Api.CreateKernel(Program.Raw, p, &err), err, "clCreateKernel " + name);
    }

    /// <summary>Largest work-group this kernel can run with on the device.</summary>
    public int KernelMaxWorkGroupSize(OpenClKernelHandle kernel)
    {
        nuint size = 0;
        int err = OpenClNative.Api.GetKernelWorkGroupInfo(kernel.Raw, Device, KernelWorkGroupInfo.WorkGroupSize, (nuint)sizeof(nuint), &size, null);
        return err == 0 && size > 0 ? (int)Math.Min(int.MaxValue, size) : Info.MaxWorkGroupSize;
    }

    private static OpenClProgramHandle BuildProgram(CL api, OpenClContextHandle ctx, nint device, OpenClDeviceInfo info,
        OpenClBackendOptions options, out string origin, out string key)
    {
        string buildOptions = OpenClKernelSource.BuildOptions(options.ExtraBuildOptions);
        var cache = options.UseProgramCache ? new OpenClProgramCache(options.ProgramCacheDirectory) : null;
        key = OpenClKernelSource.CacheKey(info, buildOptions);
        var optionBytes = Encoding.ASCII.GetBytes(buildOptions + "\0");

        if (cache?.TryLoad(key) is { } binary)
        {
            var fromBinary = TryBuildFromBinary(api, ctx, device, binary, optionBytes);
            if (fromBinary is not null)
            {
                origin = "binary cache";
                return fromBinary;
            }
            cache.Remove(key);
        }

        int err;
        var sourceBytes = Encoding.UTF8.GetBytes(OpenClKernelSource.Source);
        OpenClProgramHandle program;
        fixed (byte* src = sourceBytes)
        {
            byte* strings = src;
            nuint length = (nuint)sourceBytes.Length;
            program = OpenClHandle.Adopt<OpenClProgramHandle>(
                api.CreateProgramWithSource(ctx.Raw, 1, &strings, &length, &err), err, "clCreateProgramWithSource");
        }
        fixed (byte* opt = optionBytes)
            err = api.BuildProgram(program.Raw, 1, &device, opt, null, null);
        if (err != 0)
        {
            string log = BuildLog(api, program.Raw, device);
            program.Dispose();
            throw new OpenClException("clBuildProgram", err, log.Length > 4000 ? log[..4000] + " ..." : log);
        }
        if (cache is not null && ProgramBinary(api, program.Raw) is { } compiled)
            cache.Store(key, compiled);
        origin = "compiled";
        return program;
    }

    private static OpenClProgramHandle? TryBuildFromBinary(CL api, OpenClContextHandle ctx, nint device, byte[] binary, byte[] optionBytes)
    {
        int err, binaryStatus;
        nuint length = (nuint)binary.Length;
        nint raw;
        fixed (byte* b = binary)
        {
            byte* bp = b;
            raw = api.CreateProgramWithBinary(ctx.Raw, 1, &device, &length, &bp, &binaryStatus, &err);
        }
        if (err != 0 || raw == 0 || binaryStatus != 0)
        {
            if (raw != 0) api.ReleaseProgram(raw);
            return null;
        }
        fixed (byte* opt = optionBytes)
            err = api.BuildProgram(raw, 1, &device, opt, null, null);
        if (err != 0)
        {
            api.ReleaseProgram(raw);
            return null;
        }
        return OpenClHandle.Adopt<OpenClProgramHandle>(raw, 0, "clCreateProgramWithBinary");
    }

    private static byte[]? ProgramBinary(CL api, nint program)
    {
        nuint size = 0;
        if (api.GetProgramInfo(program, ProgramInfo.BinarySizes, (nuint)sizeof(nuint), &size, null) != 0 || size == 0)
            return null;
        var bytes = new byte[(int)size];
        fixed (byte* p = bytes)
        {
            byte* pp = p;
            if (api.GetProgramInfo(program, ProgramInfo.Binaries, (nuint)sizeof(nint), &pp, null) != 0) return null;
        }
        return bytes;
    }

    private static string BuildLog(CL api, nint program, nint device)
    {
        nuint size = 0;
        if (api.GetProgramBuildInfo(program, device, ProgramBuildInfo.BuildLog, 0, null, &size) != 0 || size == 0) return "(no build log)";
        var bytes = new byte[(int)size];
        fixed (byte* p = bytes)
            api.GetProgramBuildInfo(program, device, ProgramBuildInfo.BuildLog, size, p, null);
        int n = Array.IndexOf(bytes, (byte)0);
        return Encoding.UTF8.GetString(bytes, 0, n < 0 ? bytes.Length : n).Trim();
    }

    public void Dispose()
    {
        Program.Dispose();
        Context.Dispose();
    }
}
