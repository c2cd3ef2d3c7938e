namespace Erofs.Accel.Decompression.OpenCl;

/// <summary>How batch bytes reach the device.</summary>
public enum OpenClMemoryMode
{
    /// <summary>Zero-copy on CPU and unified-memory devices, pinned staging on discrete GPUs.</summary>
    Auto = 0,

    /// <summary>Buffers over host memory (CL_MEM_USE_HOST_PTR), accessed through map/unmap.</summary>
    ZeroCopy,

    /// <summary>Device buffers filled from and read back into pinned (mapped ALLOC_HOST_PTR) staging buffers.</summary>
    PinnedStaging,
}
