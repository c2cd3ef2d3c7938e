namespace Erofs.Accel.Decompression.Engine;

/// <summary>Where an accelerator library runs a job.</summary>
public enum AcceleratorPath
{
    /// <summary>The device (IAA for QPL, QAT for QATzip). Initialisation fails, rather than falling back, without it.</summary>
    Hardware = 1,

    /// <summary>The library's own CPU implementation, through the same shim and engine path (testing without a device).</summary>
    Software = 2,
}
