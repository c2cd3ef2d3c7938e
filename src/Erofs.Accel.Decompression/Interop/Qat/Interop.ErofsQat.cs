using System.Runtime.InteropServices;
using Erofs.Accel.Decompression.Engine.Native;

namespace Erofs.Accel.Decompression.Interop.Qat;

/// <summary>Imports of the QAT shim (interop/qat/erofs_qat.h). Load it with <see cref="NativeShimLocator"/> first.</summary>
internal static unsafe partial class ErofsQatNative
{
    public const string LibraryName = "erofs_accel_qat";

    /// <summary>EROFS_QAT_ABI_VERSION this code was written against.</summary>
    public const uint ExpectedAbiVersion = 1;

    /// <summary>Exports a shim of this ABI has; checked before the first call.</summary>
    public static readonly string[] RequiredExports =
    [
        "erofs_qat_abi_version", "erofs_qat_library_version", "erofs_qat_probe", "erofs_qat_context_create", "erofs_qat_context_path",
        "erofs_qat_context_pool_size", "erofs_qat_context_free_jobs", "erofs_qat_context_destroy", "erofs_qat_decompress",
        "erofs_qat_submit", "erofs_qat_poll", "erofs_qat_wait", "erofs_qat_release",
    ];

    [LibraryImport(LibraryName, EntryPoint = "erofs_qat_abi_version")]
    public static partial uint AbiVersion();

    [LibraryImport(LibraryName, EntryPoint = "erofs_qat_library_version")]
    public static partial nint LibraryVersion();

    [LibraryImport(LibraryName, EntryPoint = "erofs_qat_probe")]
    public static partial int Probe(out int nativeStatus);

    [LibraryImport(LibraryName, EntryPoint = "erofs_qat_context_create")]
    public static partial int ContextCreate(int path, uint poolSize, out nint context, out int nativeStatus);

    [LibraryImport(LibraryName, EntryPoint = "erofs_qat_context_path")]
    public static partial int ContextPath(ShimContextHandle context);

    [LibraryImport(LibraryName, EntryPoint = "erofs_qat_context_pool_size")]
    public static partial uint ContextPoolSize(ShimContextHandle context);

    [LibraryImport(LibraryName, EntryPoint = "erofs_qat_context_free_jobs")]
    public static partial uint ContextFreeJobs(ShimContextHandle context);

    [LibraryImport(LibraryName, EntryPoint = "erofs_qat_context_destroy")]
    public static partial int ContextDestroy(nint context);

    [LibraryImport(LibraryName, EntryPoint = "erofs_qat_decompress")]
    public static partial int Decompress(ShimContextHandle context, byte* source, uint sourceLength, byte* destination,
        uint destinationLength, uint expectedLength, uint flags, out ShimResult result);

    [LibraryImport(LibraryName, EntryPoint = "erofs_qat_submit")]
    public static partial int Submit(ShimContextHandle context, byte* source, uint sourceLength, byte* destination,
        uint destinationLength, uint expectedLength, uint flags, out nint operation, out ShimResult result);

    [LibraryImport(LibraryName, EntryPoint = "erofs_qat_poll")]
    public static partial int Poll(nint operation, out ShimResult result);

    [LibraryImport(LibraryName, EntryPoint = "erofs_qat_wait")]
    public static partial int Wait(nint operation, out ShimResult result);

    [LibraryImport(LibraryName, EntryPoint = "erofs_qat_release")]
    public static partial void Release(nint operation);
}
