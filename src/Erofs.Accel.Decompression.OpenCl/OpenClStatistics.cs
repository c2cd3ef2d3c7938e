namespace Erofs.Accel.Decompression.OpenCl;

/// <summary>
/// Cumulative counters of the OpenCL backend: batches (device submissions), items and decoded bytes, and where the
/// time went: host filling slots, device (submission to completion callback), host collecting results.
/// </summary>
public readonly record struct OpenClStatistics(
    long Submissions,
    long Items,
    long DecodedBytes,
    TimeSpan HostFill,
    TimeSpan Device,
    TimeSpan HostCollect)
{
    public override string ToString() =>
        $"{Submissions} submissions, {Items} items, {DecodedBytes >> 20} MiB; fill {HostFill.TotalMilliseconds:0} ms, " +
        $"device {Device.TotalMilliseconds:0} ms, collect {HostCollect.TotalMilliseconds:0} ms";
}
