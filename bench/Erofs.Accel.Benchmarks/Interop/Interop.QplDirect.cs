using System.Runtime.InteropServices;
using Erofs.Accel.Decompression.Engine.Native;

namespace Erofs.Accel.Benchmarks.Interop;

/// <summary>
/// The QPL shim's benchmark baseline (interop/qpl/erofs_qpl.h, erofs_qpl_direct_*): the plain QPL calls a caller of
/// QPL makes for one decode (qpl_execute_job on a job of its own), without the shim's pool, checks and verdicts.
/// </summary>
internal sealed unsafe class QplDirect : IDisposable
{
    private readonly delegate* unmanaged<nint, byte*, uint, byte*, uint, uint*, int> _decompress;
    private readonly delegate* unmanaged<nint, void> _destroy;
    private nint _job;

    private QplDirect(nint library, int path)
    {
        var create = (delegate* unmanaged<int, nint*, int>)NativeLibrary.GetExport(library, "erofs_qpl_direct_job_create");
        _decompress = (delegate* unmanaged<nint, byte*, uint, byte*, uint, uint*, int>)NativeLibrary.GetExport(library, "erofs_qpl_direct_decompress");
        _destroy = (delegate* unmanaged<nint, void>)NativeLibrary.GetExport(library, "erofs_qpl_direct_job_destroy");
        nint job;
        int status = create(path, &job);
        if (status != 0) throw new InvalidOperationException($"qpl_init_job failed: qpl_status {status}");
        _job = job;
    }

    /// <summary>A QPL job on the path (1 hardware, 2 software), through the shim the engine loads.</summary>
    public static QplDirect Create(int path)
    {
        if (!NativeShimLocator.TryLoad("erofs_accel_qpl", null, out var library, out var detail))
            throw new InvalidOperationException(detail);
        return new QplDirect(library, path);
    }

    /// <summary>qpl_status of one complete raw-DEFLATE decode into <paramref name="destination"/>; bytes produced.</summary>
    public int Decompress(ReadOnlySpan<byte> source, Span<byte> destination, out int written)
    {
        uint produced;
        int status;
        fixed (byte* src = source)
        fixed (byte* dst = destination)
            status = _decompress(_job, src, (uint)source.Length, dst, (uint)destination.Length, &produced);
        written = (int)produced;
        return status;
    }

    public void Dispose()
    {
        if (_job != 0) _destroy(_job);
        _job = 0;
    }
}
