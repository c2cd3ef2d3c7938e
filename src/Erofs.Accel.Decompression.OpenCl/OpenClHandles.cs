using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Erofs.Accel.Decompression.OpenCl;

/// <summary>Owner of one reference to an OpenCL object; released through the matching clRelease* call.</summary>
internal abstract class OpenClHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    protected OpenClHandle() : base(ownsHandle: true) { }

    public nint Raw => handle;

    /// <summary>Wraps a raw object returned by OpenCL; throws when the call failed.</summary>
    public static T Adopt<T>(nint raw, int error, string call) where T : OpenClHandle, new()
    {
        OpenClNative.Check(error, call);
        if (raw == 0) throw new OpenClException(call, -6, "null object returned");
        var h = new T();
        h.SetHandle(raw);
        return h;
    }
}

internal sealed class OpenClContextHandle : OpenClHandle
{
    protected override bool ReleaseHandle() => OpenClNative.Api.ReleaseContext(handle) == 0;
}

internal sealed class OpenClQueueHandle : OpenClHandle
{
    protected override bool ReleaseHandle() => OpenClNative.Api.ReleaseCommandQueue(handle) == 0;
}

internal sealed class OpenClProgramHandle : OpenClHandle
{
    protected override bool ReleaseHandle() => OpenClNative.Api.ReleaseProgram(handle) == 0;
}

internal sealed class OpenClKernelHandle : OpenClHandle
{
    protected override bool ReleaseHandle() => OpenClNative.Api.ReleaseKernel(handle) == 0;
}

internal sealed class OpenClMemHandle : OpenClHandle
{
    protected override bool ReleaseHandle() => OpenClNative.Api.ReleaseMemObject(handle) == 0;
}

/// <summary>Page-aligned native memory handed to OpenCL with CL_MEM_USE_HOST_PTR (zero-copy on CPU devices).</summary>
internal sealed unsafe class AlignedNativeMemory : SafeHandleZeroOrMinusOneIsInvalid
{
    public nuint Length { get; }

    public AlignedNativeMemory(nuint length, nuint alignment) : base(ownsHandle: true)
    {
        Length = length;
        SetHandle((nint)NativeMemory.AlignedAlloc(length, alignment));
    }

    public byte* Pointer => (byte*)handle;

    protected override bool ReleaseHandle()
    {
        NativeMemory.AlignedFree((void*)handle);
        return true;
    }
}
