namespace Erofs.Accel.Decompression.OpenCl;

/// <summary>Broad type of an OpenCL device (CL_DEVICE_TYPE).</summary>
public enum OpenClDeviceKind
{
    Other = 0,
    Cpu,
    Gpu,
    Accelerator,
}
