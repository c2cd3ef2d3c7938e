namespace Erofs.Accel.Decompression.Engine;

/// <summary>What a backend does inside the engine.</summary>
public enum BackendRole
{
    /// <summary>Decodes inline, and every request no accelerator took or finished correctly.</summary>
    Software,

    /// <summary>Takes single requests through its queue and workers (QPL, QAT).</summary>
    Accelerator,

    /// <summary>Takes whole batches of at least its minimum size (OpenCL).</summary>
    Batch,
}
