using System.Runtime.InteropServices;
using Erofs.Accel.Decompression.Engine.Native;
using Erofs.Accel.Decompression.Interop.Qpl;

namespace Erofs.Accel.Decompression.Backends.Qpl;

/// <summary>The QPL shim's functions behind the common shim shape.</summary>
internal sealed unsafe class QplShimBinding : IShimBinding
{
    public static readonly QplShimBinding Instance = new();

    public string LibraryName => ErofsQplNative.LibraryName;
    public IReadOnlyList<string> RequiredExports => ErofsQplNative.RequiredExports;
    public uint ExpectedAbiVersion => ErofsQplNative.ExpectedAbiVersion;

    public uint AbiVersion() => ErofsQplNative.AbiVersion();

    public string LibraryVersion() => "QPL " + (Marshal.PtrToStringUTF8(ErofsQplNative.LibraryVersion()) ?? "unknown");

    public int Probe(out int nativeStatus)
    {
        nativeStatus = 0;
        return ShimStatus.Ok;
    }

    public int ContextCreate(int path, uint poolSize, out nint context, out int nativeStatus) =>
        ErofsQplNative.ContextCreate(path, poolSize, out context, out nativeStatus);

    public int ContextDestroy(nint context) => ErofsQplNative.ContextDestroy(context);

    public uint ContextFreeJobs(ShimContextHandle context) => ErofsQplNative.ContextFreeJobs(context);

    public int Decompress(ShimContextHandle context, byte* source, uint sourceLength, byte* destination, uint destinationLength,
        uint expectedLength, uint flags, out ShimResult result) =>
        ErofsQplNative.Decompress(context, source, sourceLength, destination, destinationLength, expectedLength, flags, out result);

    public int Submit(ShimContextHandle context, byte* source, uint sourceLength, byte* destination, uint destinationLength,
        uint expectedLength, uint flags, out nint operation, out ShimResult result) =>
        ErofsQplNative.Submit(context, source, sourceLength, destination, destinationLength, expectedLength, flags, out operation, out result);

    public int Poll(nint operation, out ShimResult result) => ErofsQplNative.Poll(operation, out result);

    public int Wait(nint operation, out ShimResult result) => ErofsQplNative.Wait(operation, out result);

    public void Release(nint operation) => ErofsQplNative.Release(operation);

    public string NativeStatusName(int nativeStatus) => QplStatusNames.Name(nativeStatus);
}
