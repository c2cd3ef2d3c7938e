namespace Erofs.Accel.Decompression.Engine.Native;

/// <summary>The functions of one native shim (QPL or QAT); all shims share the same shape (erofs_accel_status.h).</summary>
internal unsafe interface IShimBinding
{
    string LibraryName { get; }
    IReadOnlyList<string> RequiredExports { get; }
    uint ExpectedAbiVersion { get; }

    uint AbiVersion();
    string LibraryVersion();

    /// <summary>Process-wide device detection, when the library needs one before contexts (QAT); Ok otherwise.</summary>
    int Probe(out int nativeStatus);

    int ContextCreate(int path, uint poolSize, out nint context, out int nativeStatus);
    int ContextDestroy(nint context);
    uint ContextFreeJobs(ShimContextHandle context);

    int Decompress(ShimContextHandle context, byte* source, uint sourceLength, byte* destination, uint destinationLength,
        uint expectedLength, uint flags, out ShimResult result);

    int Submit(ShimContextHandle context, byte* source, uint sourceLength, byte* destination, uint destinationLength,
        uint expectedLength, uint flags, out nint operation, out ShimResult result);

    int Poll(nint operation, out ShimResult result);
    int Wait(nint operation, out ShimResult result);
    void Release(nint operation);

    /// <summary>Name of a library status code (qpl_status, QATzip return code), for messages.</summary>
    string NativeStatusName(int nativeStatus);
}
