using System.Runtime.InteropServices;
using Erofs.Accel.Decompression.Engine.Native;

namespace Erofs.Accel.Decompression.Interop;

/// <summary>
/// Bindings to the erofs-accel native shims (liberofs_accel_qpl.so, liberofs_accel_qat.so). Every shim publishes one
/// export table of the same shape (interop/common/erofs_accel_shim.h): <see cref="ShimExportTable"/>, reached through
/// the single export <c>erofs_accel_shim_exports</c>, which <see cref="NativeShim"/> reads from the library handle
/// <see cref="NativeShimLocator"/> loaded, checks, and calls through with contexts as SafeHandles.
/// </summary>
internal static unsafe partial class ErofsAccelShim
{
    public const string QplLibrary = "erofs_accel_qpl";
    public const string QatLibrary = "erofs_accel_qat";

    /// <summary>The one symbol every shim exports for the engine.</summary>
    public const string ExportsSymbol = "erofs_accel_shim_exports";

    /// <summary>EROFS_ACCEL_SHIM_ABI_VERSION this code was written against.</summary>
    public const uint AbiVersion = 2;
}

/// <summary>Mirror of <c>erofs_accel_shim_table</c>; fields in declaration order, never reordered.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct ShimExportTable
{
    public uint AbiVersion;
    public uint Size;
    public byte* Name;
    public delegate* unmanaged<byte*> LibraryVersion;
    public delegate* unmanaged<int, int*, int> Probe;
    public delegate* unmanaged<int, uint, nint*, int*, int> ContextCreate;
    public delegate* unmanaged<nint, int> ContextPath;
    public delegate* unmanaged<nint, uint> ContextPoolSize;
    public delegate* unmanaged<nint, uint> ContextFreeJobs;
    public delegate* unmanaged<nint, int> ContextDestroy;
    public delegate* unmanaged<nint, byte*, uint, byte*, uint, uint, uint, ShimResult*, int> Decompress;
    public delegate* unmanaged<nint, byte*, uint, byte*, uint, uint, uint, nint*, ShimResult*, int> Submit;
    public delegate* unmanaged<nint, ShimResult*, int> Poll;
    public delegate* unmanaged<nint, ShimResult*, int> Wait;
    public delegate* unmanaged<nint, void> Release;
    public delegate* unmanaged<delegate* unmanaged<int, byte*, void>, int, void> SetLogSink;
}
