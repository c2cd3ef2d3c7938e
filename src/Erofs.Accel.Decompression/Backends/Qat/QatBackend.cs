using Erofs.Accel.Decompression.Engine;
using Erofs.Accel.Decompression.Engine.Native;
using Erofs.Accel.Decompression.Interop;

namespace Erofs.Accel.Decompression.Backends.Qat;

/// <summary>
/// Raw DEFLATE decoding on Intel QAT through the QATzip shim (liberofs_accel_qat.so). QAT takes any DEFLATE window
/// (windowbits &lt;= 15), full decodes only. Without a QAT device the shim says so once and the backend stays
/// unavailable; QATzip is never asked again in this process. <see cref="AcceleratorPath.Software"/> is a test mode
/// (<see cref="QatBackendOptions.PathVariable"/>=software): QATzip decodes with its own software failover, reported
/// as such, and is never chosen unless asked for.
/// </summary>
public sealed class QatBackend : ShimAcceleratorBackend
{
    /// <summary>The name the engine, the CLI and reports use for this backend.</summary>
    public const string BackendName = "qat";

    /// <summary>What the backends listing calls the test mode.</summary>
    public const string SoftwareFailoverPathName = "software (QATzip software failover, test mode)";

    /// <summary>A DEFLATE backend on Intel QAT through the QATzip shim; unavailable (with the reason) without the shim, the library or a device.</summary>
    public QatBackend(QatBackendOptions? options = null)
        : base(BackendName, ErofsAccelShim.QatLibrary, options ?? QatBackendOptions.FromEnvironment(), maxWindowBits: 15,
            partialSupported: false, keepsJobsInFlight: false)
    {
    }

    private protected override bool WantsSpareOutputByte => true;

    private protected override string PathName(AcceleratorPath path) =>
        path == AcceleratorPath.Software ? SoftwareFailoverPathName : "hardware";

    private protected override string NativeStatusName(int nativeStatus) => QatStatusNames.Name(nativeStatus);
}
