using Erofs.Accel.Decompression.Interop;
using Microsoft.Win32.SafeHandles;

namespace Erofs.Accel.Decompression.Backends.Deflate;

/// <summary>Owns one libdeflate decompressor (not thread-safe; used by one thread at a time through a pool).</summary>
internal sealed class LibdeflateDecompressorHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    private LibdeflateDecompressorHandle() : base(ownsHandle: true) { }

    /// <summary>A new decompressor, or null when libdeflate could not allocate one.</summary>
    public static LibdeflateDecompressorHandle? TryCreate()
    {
        var handle = new LibdeflateDecompressorHandle();
        handle.SetHandle(LibdeflateNative.AllocDecompressor());
        if (!handle.IsInvalid) return handle;
        handle.SetHandleAsInvalid();
        return null;
    }

    protected override bool ReleaseHandle()
    {
        LibdeflateNative.FreeDecompressor(handle);
        return true;
    }
}
