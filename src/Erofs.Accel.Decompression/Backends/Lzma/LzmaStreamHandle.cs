using System.Runtime.InteropServices;
using Erofs.Accel.Decompression.Interop;
using Microsoft.Win32.SafeHandles;

namespace Erofs.Accel.Decompression.Backends.Lzma;

/// <summary>
/// Owns one natively allocated <c>lzma_stream</c> (fixed address, zeroed at birth) and whatever liblzma attached to
/// it. Re-initialising the same stream lets liblzma keep its coder and dictionary memory between pclusters.
/// </summary>
internal sealed unsafe class LzmaStreamHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    private LzmaStreamHandle() : base(ownsHandle: true) { }

    public LzmaNative.Stream* Stream => (LzmaNative.Stream*)handle;

    public static LzmaStreamHandle? TryCreate()
    {
        void* memory = NativeMemory.AllocZeroed((nuint)sizeof(LzmaNative.Stream));
        if (memory is null) return null;
        var stream = new LzmaStreamHandle();
        stream.SetHandle((nint)memory);
        return stream;
    }

    protected override bool ReleaseHandle()
    {
        LzmaNative.End((LzmaNative.Stream*)handle);
        NativeMemory.Free((void*)handle);
        return true;
    }
}
