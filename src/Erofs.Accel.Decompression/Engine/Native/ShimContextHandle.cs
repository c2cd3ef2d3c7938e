using System.Runtime.InteropServices;

namespace Erofs.Accel.Decompression.Engine.Native;

/// <summary>A native shim context (pool of library jobs or sessions); destroyed when the last user lets go.</summary>
internal sealed class ShimContextHandle : SafeHandle
{
    private readonly Func<nint, int>? _destroy;

    public ShimContextHandle() : base(0, ownsHandle: true) { }

    public ShimContextHandle(nint handle, Func<nint, int> destroy) : base(0, ownsHandle: true)
    {
        _destroy = destroy;
        SetHandle(handle);
    }

    public override bool IsInvalid => handle == 0;

    protected override bool ReleaseHandle() =>
        _destroy is null || _destroy(handle) == ShimStatus.Ok;
}
