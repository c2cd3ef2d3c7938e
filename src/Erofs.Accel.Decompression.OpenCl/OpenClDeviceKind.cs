namespace Erofs.Accel.Decompression.OpenCl;

/// <summary>Broad type of an OpenCL device (CL_DEVICE_TYPE).</summary>
public enum OpenClDeviceKind
{
    /// <summary>Any other device type (custom, default).</summary>
    Other = 0,
    /// <summary>A CPU device (PoCL, for example).</summary>
    Cpu,
    /// <summary>A GPU.</summary>
    Gpu,
    /// <summary>A dedicated accelerator (CL_DEVICE_TYPE_ACCELERATOR).</summary>
    Accelerator,
}
