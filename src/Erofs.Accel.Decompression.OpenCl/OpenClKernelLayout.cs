namespace Erofs.Accel.Decompression.OpenCl;

/// <summary>How batch items are spread over OpenCL work-items.</summary>
public enum OpenClKernelLayout
{
    /// <summary>One work-item per item on CPU devices, one work-group per item elsewhere.</summary>
    Auto = 0,

    /// <summary>One work-item decodes one item (fits CPU devices: long sequential work per core).</summary>
    WorkItemPerItem,

    /// <summary>One work-group per item: one work-item parses, the group copies (fits GPUs).</summary>
    WorkGroupPerItem,
}
