using Erofs.Accel.Decompression.Engine;
using Erofs.Accel.Decompression.Engine.Native;

namespace Erofs.Accel.Decompression.Backends.Qat;

/// <summary>
/// Raw DEFLATE decoding on Intel QAT through the QATzip shim (liberofs_accel_qat.so). QAT takes any DEFLATE window
/// (windowbits &lt;= 15), full decodes only. Without a QAT device the shim says so once and the backend stays
/// unavailable; QATzip is never called again in this process.
/// </summary>
public sealed class QatBackend : ShimAcceleratorBackend
{
    public const string BackendName = "qat";

    public QatBackend(QatBackendOptions? options = null)
        : base(BackendName, QatShimBinding.Instance, options ?? QatBackendOptions.FromEnvironment(), maxWindowBits: 15, partialSupported: false)
    {
    }
}
