namespace Erofs.Accel.Decompression.OpenCl;

/// <summary>
/// Cumulative counters of the OpenCL backend: submissions (device batches), items, bytes, and where the time went.
/// Host stages are wall-clock time on this machine: <see cref="HostFill"/> (inputs and descriptors into the slot),
/// <see cref="Enqueue"/> (the API calls that hand a batch to the driver), <see cref="Device"/> (from the start of
/// enqueueing to the completion callback, so it includes <see cref="Enqueue"/>) and <see cref="HostCollect"/>
/// (decoded bytes out to the callers' buffers). The device stages come from OpenCL profiling events of the
/// <see cref="ProfiledSubmissions"/> submissions made with <see cref="OpenClBackendOptions.ProfileStages"/>:
/// <see cref="Launch"/> (first command queued to started), <see cref="Upload"/> (host to device: writes, or unmaps
/// in zero-copy mode), <see cref="Kernels"/> and <see cref="Download"/> (device to host: reads, or maps).
/// </summary>
public readonly record struct OpenClStatistics(
    long Submissions,
    long Items,
    long DecodedBytes,
    long CompressedBytes,
    TimeSpan HostFill,
    TimeSpan Enqueue,
    TimeSpan Device,
    TimeSpan HostCollect,
    long ProfiledSubmissions,
    TimeSpan Launch,
    TimeSpan Upload,
    TimeSpan Kernels,
    TimeSpan Download)
{
    /// <summary>What happened between <paramref name="earlier"/> and this snapshot.</summary>
    public OpenClStatistics Since(OpenClStatistics earlier) => new(
        Submissions - earlier.Submissions, Items - earlier.Items, DecodedBytes - earlier.DecodedBytes,
        CompressedBytes - earlier.CompressedBytes, HostFill - earlier.HostFill, Enqueue - earlier.Enqueue,
        Device - earlier.Device, HostCollect - earlier.HostCollect, ProfiledSubmissions - earlier.ProfiledSubmissions,
        Launch - earlier.Launch, Upload - earlier.Upload, Kernels - earlier.Kernels, Download - earlier.Download);

    /// <summary>One line: totals, then the mean of each stage per submission in microseconds.</summary>
    public override string ToString()
    {
        var text = $"{Submissions} submissions, {Items} items, {DecodedBytes / 1e6:0.0} MB decoded";
        if (Submissions == 0) return text;
        text += $"; per submission: fill {Mean(HostFill, Submissions)}, enqueue {Mean(Enqueue, Submissions)}, " +
                $"device {Mean(Device, Submissions)}, collect {Mean(HostCollect, Submissions)} us";
        if (ProfiledSubmissions > 0)
            text += $"; device side: launch {Mean(Launch, ProfiledSubmissions)}, upload {Mean(Upload, ProfiledSubmissions)}, " +
                    $"kernels {Mean(Kernels, ProfiledSubmissions)}, download {Mean(Download, ProfiledSubmissions)} us";
        return text;
    }

    private static string Mean(TimeSpan total, long count) => (total.TotalMicroseconds / count).ToString("0");
}
