namespace Erofs.Accel.Decompression.OpenCl;

/// <summary>Checks descriptors against the batch buffers before anything is enqueued.</summary>
internal static class OpenClDescriptorValidator
{
    /// <summary>True when the item reads and writes only inside the buffers, with non-empty ranges.</summary>
    public static bool IsValid(in OpenClItemDescriptor d, long inputSize, long outputSize) =>
        d.InputLength > 0 && d.OutputCapacity > 0
        && d.InputOffset <= inputSize && d.InputLength <= inputSize - d.InputOffset
        && d.OutputOffset <= outputSize && d.OutputCapacity <= outputSize - d.OutputOffset
        && (d.Flags & ~OpenClItemDescriptor.FlagPartial) == 0;

    /// <summary>Index of the first invalid descriptor, or -1.</summary>
    public static int FirstInvalid(ReadOnlySpan<OpenClItemDescriptor> items, long inputSize, long outputSize)
    {
        for (int i = 0; i < items.Length; i++)
            if (!IsValid(items[i], inputSize, outputSize)) return i;
        return -1;
    }

    /// <summary>True when no two output ranges overlap (items must never write into each other).</summary>
    public static bool OutputsDisjoint(ReadOnlySpan<OpenClItemDescriptor> items)
    {
        if (items.Length < 2) return true;
        var ranges = new (long Start, long End)[items.Length];
        for (int i = 0; i < items.Length; i++)
            ranges[i] = (items[i].OutputOffset, (long)items[i].OutputOffset + items[i].OutputCapacity);
        Array.Sort(ranges);
        for (int i = 1; i < ranges.Length; i++)
            if (ranges[i].Start < ranges[i - 1].End) return false;
        return true;
    }
}
