using System.Runtime.InteropServices;
using Erofs.Accel.Decompression.Engine.Native;
using Erofs.Accel.Decompression.Interop.Qat;

namespace Erofs.Accel.Decompression.Backends.Qat;

/// <summary>The QAT shim's functions behind the common shim shape.</summary>
internal sealed unsafe class QatShimBinding : IShimBinding
{
    public static readonly QatShimBinding Instance = new();

    public string LibraryName => ErofsQatNative.LibraryName;
    public IReadOnlyList<string> RequiredExports => ErofsQatNative.RequiredExports;
    public uint ExpectedAbiVersion => ErofsQatNative.ExpectedAbiVersion;

    public uint AbiVersion() => ErofsQatNative.AbiVersion();

    public string LibraryVersion() => Marshal.PtrToStringUTF8(ErofsQatNative.LibraryVersion()) ?? "QATzip (unknown version)";

    /// <summary>The shim asks QATzip once per process and remembers "no hardware" (QATzip leaks on every retry).</summary>
    public int Probe(out int nativeStatus) => ErofsQatNative.Probe(out nativeStatus);

    public int ContextCreate(int path, uint poolSize, out nint context, out int nativeStatus) =>
        ErofsQatNative.ContextCreate(path, poolSize, out context, out nativeStatus);

    public int ContextDestroy(nint context) => ErofsQatNative.ContextDestroy(context);

    public uint ContextFreeJobs(ShimContextHandle context) => ErofsQatNative.ContextFreeJobs(context);

    public int Decompress(ShimContextHandle context, byte* source, uint sourceLength, byte* destination, uint destinationLength,
        uint expectedLength, uint flags, out ShimResult result) =>
        ErofsQatNative.Decompress(context, source, sourceLength, destination, destinationLength, expectedLength, flags, out result);

    public int Submit(ShimContextHandle context, byte* source, uint sourceLength, byte* destination, uint destinationLength,
        uint expectedLength, uint flags, out nint operation, out ShimResult result) =>
        ErofsQatNative.Submit(context, source, sourceLength, destination, destinationLength, expectedLength, flags, out operation, out result);

    public int Poll(nint operation, out ShimResult result) => ErofsQatNative.Poll(operation, out result);

    public int Wait(nint operation, out ShimResult result) => ErofsQatNative.Wait(operation, out result);

    public void Release(nint operation) => ErofsQatNative.Release(operation);

    public string NativeStatusName(int nativeStatus) => QatStatusNames.Name(nativeStatus);
}
