using Erofs.Accel.Fuse.Protocol;

namespace Erofs.Accel.Fuse;

/// <summary>Protocol settings and buffer sizes derived from the options.</summary>
public sealed partial class FuseServer
{
    private const int MinimumReplyPayload = 128 * 1024;

    /// <summary>Size of a worker's request buffer: the kernel needs at least 8 KiB; requests here stay far smaller.</summary>
    internal const int RequestBufferSize = 16 * 1024 + FuseInHeader.Size;

    /// <summary>INIT wishes derived from the options.</summary>
    internal static InitSettings InitSettingsFrom(FuseServerOptions options)
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
            Environment.SystemPageSize);
    }

    internal static CacheTimeouts TimeoutsFrom(FuseServerOptions options) =>
        CacheTimeouts.From(options.EntryTimeout, options.AttributeTimeout, options.NegativeLookupTimeout);

    /// <summary>Size of a worker's reply buffer: header plus the largest READ (at least 128 KiB for directory pages).</summary>
    internal static int ReplyBufferSize(FuseServerOptions options) =>
        FuseOutHeader.Size + Math.Max(options.MaxReadBytes, MinimumReplyPayload);
}
