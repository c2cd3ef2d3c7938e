using Erofs.Accel.Decompression.Interop;
using Microsoft.Win32.SafeHandles;
using ZstdSharp.Unsafe;

namespace Erofs.Accel.Decompression.Backends.Zstd;

/// <summary>Owns one ZSTD_DCtx, native (libzstd) or managed (ZstdSharp), and remembers its window limit.</summary>
internal sealed unsafe class ZstdContextHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    private readonly bool _managed;

    private ZstdContextHandle(bool managed) : base(ownsHandle: true) => _managed = managed;

    /// <summary>Window log limit currently set on the context (0 = not set yet).</summary>
    public int WindowLogMax { get; set; }

    public static ZstdContextHandle? TryCreateNative() => Wrap(ZstdNative.CreateDCtx(), managed: false);

    public static ZstdContextHandle? TryCreateManaged() => Wrap((nint)Methods.ZSTD_createDCtx(), managed: true);

    private static ZstdContextHandle? Wrap(nint context, bool managed)
    {
        if (context == 0) return null;
        var handle = new ZstdContextHandle(managed);
        handle.SetHandle(context);
        return handle;
    }

    protected override bool ReleaseHandle()
    {
        if (_managed) Methods.ZSTD_freeDCtx((ZSTD_DCtx_s*)handle);
        else ZstdNative.FreeDCtx(handle);
        return true;
    }
}
