namespace Erofs.Accel.Decompression.Engine;

/// <summary>How the engine picks accelerators.</summary>
public enum AccelerationMode
{
    /// <summary>Every accelerator that is available, in the default order (qpl, qat, opencl); software for the rest.</summary>
    Auto,

    /// <summary>Software only: no accelerator is created or tried.</summary>
    Software,

    /// <summary>Only the listed accelerators, in the listed order; software for the rest.</summary>
    List,
}
