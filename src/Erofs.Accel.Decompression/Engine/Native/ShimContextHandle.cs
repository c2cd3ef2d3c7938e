using System.Runtime.InteropServices;

namespace Erofs.Accel.Decompression.Engine.Native;

/// <summary>A native shim context (pool of library jobs or sessions); destroyed when the last user lets go.</summary>
internal sealed class ShimContextHandle : SafeHandle
{
    private readonly NativeShim? _shim;

    public ShimContextHandle() : base(0, ownsHandle: true) { }

    public ShimContextHandle(nint handle, NativeShim shim) : base(0, ownsHandle: true)
    {
        _shim = shim;
        SetHandle(handle);
    }

    public override bool IsInvalid => handle == 0;

    protected override bool ReleaseHandle() => _shim is null || _shim.ContextDestroy(handle) == ShimStatus.Ok;
}
