using Erofs.Accel.Fuse.Protocol;
using Erofs.Accel.Fuse.Server;
using Erofs.Accel.Fuse.Transport;
using Microsoft.Extensions.Logging.Abstractions;

namespace Erofs.Accel.Fuse;

/// <summary>Protocol settings and buffer sizes derived from the options.</summary>
public sealed partial class FuseServer
{
    private const int MinimumReplyPayload = 128 * 1024;

    /// <summary>Size of a worker's request buffer: the kernel needs at least 8 KiB; requests here stay far smaller.</summary>
    internal const int RequestBufferSize = 16 * 1024 + FuseInHeader.Size;

    /// <summary>INIT wishes derived from the options.</summary>
    internal static InitSettings InitSettingsFrom(FuseServerOptions options, bool offerIoUring = false)
    {
        var readahead = options.ReadAheadKilobytes > 0 ? options.ReadAheadKilobytes * 1024 : options.MaxReadBytes;
        return new InitSettings(
            options.MaxReadBytes,
            readahead,
            options.ReadDirPlus,
            options.ReadDirPlusAuto,
            options.ZeroMessageOpen,
            options.PosixAcl,
            (ushort)Math.Clamp(options.MaxBackgroundRequests, 1, ushort.MaxValue),
            Environment.SystemPageSize,
            offerIoUring);
    }

    internal static CacheTimeouts TimeoutsFrom(FuseServerOptions options) =>
        CacheTimeouts.From(options.EntryTimeout, options.AttributeTimeout, options.NegativeLookupTimeout);

    /// <summary>Size of a worker's reply buffer: header plus the largest READ (at least 128 KiB for directory pages).</summary>
    internal static int ReplyBufferSize(FuseServerOptions options) =>
        FuseOutHeader.Size + Math.Max(options.MaxReadBytes, MinimumReplyPayload);

    /// <summary>Entries per io_uring queue: the option, or 8 entries holding at most 8 MiB of reply buffers.</summary>
    internal static int IoUringQueueDepth(FuseServerOptions options) =>
        options.IoUringQueueDepth > 0
            ? Math.Min(options.IoUringQueueDepth, 64)
            : Math.Clamp((8 << 20) / Math.Max(options.MaxReadBytes, 1), 2, 8);

    /// <summary>How long the io_uring threads may take to set up, and to register once INIT is answered.</summary>
    private static readonly TimeSpan RingStartTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Starts the io_uring threads (rings and buffers ready, nothing registered); null with the reason on failure.</summary>
    private static RingWorkerSet? PrepareRings(FuseServerOptions options, FuseDevice device, FileDescriptorHandle? helperSocket, out string failure)
    {
        var plan = FuseUringQueuePlan.ForThisMachine(IoUringQueueDepth(options));
        // the rings hold the fusermount3 socket too, so that when this process dies they let go of it only after
        // /dev/fuse: the helper then finds the connection closed and unmounts (auto_unmount)
        var rings = new RingWorkerSet(device, helperSocket?.Descriptor ?? -1, plan, options.PinIoUringThreads, RequestBufferSize, ReplyBufferSize(options),
            options.Logger ?? NullLogger.Instance);
        return rings.TryPrepare(RingStartTimeout, out failure) ? rings : null;
    }
}
