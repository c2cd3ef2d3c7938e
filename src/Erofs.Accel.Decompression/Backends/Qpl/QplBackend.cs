using Erofs.Accel.Decompression.Engine;
using Erofs.Accel.Decompression.Engine.Native;
using Erofs.Accel.Decompression.Interop;

namespace Erofs.Accel.Decompression.Backends.Qpl;

/// <summary>
/// Raw DEFLATE decoding on Intel IAA through the QPL shim (liberofs_accel_qpl.so). IAA keeps a 4 KiB history, so
/// the backend takes only streams with windowbits &lt;= 12; the engine sends everything else to software. The engine
/// keeps up to <see cref="AcceleratorBackendOptions.PoolSize"/> jobs in flight on IAA (submit, then poll). With
/// <see cref="AcceleratorPath.Software"/> it runs QPL's CPU path through the same shim and the same engine path
/// (testing without IAA).
/// </summary>
public sealed class QplBackend : ShimAcceleratorBackend
{
    /// <summary>The name the engine, the CLI and reports use for this backend.</summary>
    public const string BackendName = "qpl";

    /// <summary>Largest DEFLATE window IAA decodes (4 KiB).</summary>
    public const int IaaMaxWindowBits = 12;

    /// <summary>A DEFLATE backend on Intel IAA through the QPL shim; unavailable (with the reason) without the shim, the library or a device.</summary>
    public QplBackend(QplBackendOptions? options = null)
        : base(BackendName, ErofsAccelShim.QplLibrary, options ?? QplBackendOptions.FromEnvironment(), IaaMaxWindowBits,
            partialSupported: true, keepsJobsInFlight: true)
    {
    }

    private protected override string NativeStatusName(int nativeStatus) => QplStatusNames.Name(nativeStatus);
}
