namespace Erofs.Accel.Fuse.Transport;

/// <summary>What the running kernel allows a FUSE connection.</summary>
internal static class FuseKernelLimits
{
    /// <summary>The sysctl (Linux 6.13+) bounding max_pages; older kernels have the fixed FUSE_MAX_MAX_PAGES.</summary>
    public const string MaxPagesLimitPath = "/proc/sys/fs/fuse/max_pages_limit";

    /// <summary>FUSE_MAX_MAX_PAGES, and the sysctl's default.</summary>
    public const int FixedMaxPages = 256;

    /// <summary>
    /// The default read size never goes above this even where an administrator raised max_pages_limit: every worker
    /// and every io_uring entry holds a buffer of this size, and readahead (1 MiB by default) bounds buffered reads.
    /// </summary>
    public const int DefaultReadCeiling = 4 << 20;

    private static readonly Lazy<int> MaxPagesValue = new(ReadMaxPages);

    /// <summary>Largest max_pages INIT may agree on.</summary>
    public static int MaxPages => MaxPagesValue.Value;

    /// <summary>The largest READ the kernel will send (max_pages pages), capped at <see cref="DefaultReadCeiling"/>.</summary>
    public static int DefaultMaxReadBytes => (int)Math.Min((long)MaxPages * Math.Max(Environment.SystemPageSize, 4096), DefaultReadCeiling);

    private static int ReadMaxPages()
    {
        try
        {
            return int.TryParse(File.ReadAllText(MaxPagesLimitPath).Trim(), out var pages) && pages >= 1 ? Math.Min(pages, ushort.MaxValue) : FixedMaxPages;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return FixedMaxPages;
        }
    }
}
