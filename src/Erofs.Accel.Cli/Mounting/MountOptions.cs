using Erofs.Accel.Cli.Commands;
using Erofs.Accel.Fuse;
using Microsoft.Extensions.Logging;

namespace Erofs.Accel.Cli.Mounting;

/// <summary>
/// Everything one <c>mount</c> needs, parsed and checked: what to open (<see cref="Settings"/>), where, how the FUSE
/// server behaves and where its log goes. Built by <see cref="MountArguments"/> from a command line or a mount(8)
/// helper call, turned back into arguments for the background server by <see cref="ToArguments"/>.
/// </summary>
internal sealed record MountOptions
{
    public const string DefaultSubtype = "erofs-accel";
    public const int DefaultMaxWorkers = 16;

    public required string Image { get; init; }
    public required string MountPoint { get; init; }

    /// <summary>Extra devices, offset, decompression policy and limits.</summary>
    public ImageSettings Settings { get; init; } = new();

    /// <summary>Let other users use the mount (allow_other).</summary>
    public bool AllowOther { get; init; }

    /// <summary>Forbid running programs from the mount (noexec).</summary>
    public bool NoExec { get; init; }

    /// <summary>Shown as the mount's source (fsname=); null: the image's absolute path.</summary>
    public string? FsName { get; init; }

    /// <summary>The mount table shows the type fuse.SUBTYPE (subtype=).</summary>
    public string Subtype { get; init; } = DefaultSubtype;

    public int MaxWorkers { get; init; } = DefaultMaxWorkers;

    public const int DefaultMaxReadBytes = 1 << 20;

    /// <summary>Largest READ request in bytes (max_read=).</summary>
    public int MaxReadBytes { get; init; } = DefaultMaxReadBytes;

    /// <summary>
    /// FUSE over io_uring (uring=on|off, --transport uring|classic): on requires it, off keeps the classic /dev/fuse
    /// transport; null: io_uring where the kernel offers it, else /dev/fuse.
    /// </summary>
    public bool? Uring { get; init; }

    /// <summary>The FUSE transport <see cref="Uring"/> asks for.</summary>
    public FuseTransport Transport => Uring switch
    {
        true => FuseTransport.IoUring,
        false => FuseTransport.Classic,
        null => FuseTransport.Automatic,
    };

    /// <summary>
    /// After a small read of a compressed file, push the rest of the extents decoded for it into the kernel's page
    /// cache, as the kernel's EROFS keeps them, and after a folder's small files are read in order, the small files
    /// that follow (prefill=on, the default); prefill=off sends every page as a READ.
    /// </summary>
    public bool Prefill { get; init; } = true;

    /// <summary>
    /// Once mounted, the server gives up root, its capabilities and most system calls (sandbox=on, the default);
    /// sandbox=off or --no-sandbox keeps them.
    /// </summary>
    public bool Sandbox { get; init; } = true;

    /// <summary>Where the server logs (log=): a file, "syslog" or "stderr"; null: stderr in the foreground, else the default.</summary>
    public string? Log { get; init; }

    /// <summary>Stay attached to the terminal (--foreground / -f) instead of returning once mounted.</summary>
    public bool Foreground { get; init; }

    /// <summary>mount(8) -f: check everything, mount nothing.</summary>
    public bool Fake { get; init; }

    public LogLevel LogLevel => Settings.Verbose ? LogLevel.Information : LogLevel.Warning;

    /// <summary>What the mount table shows as the source.</summary>
    public string Source => FsName ?? Path.GetFullPath(Image);

    /// <summary>The FUSE server's options for this mount: the one place where they are decided.</summary>
    public FuseServerOptions ToServerOptions(ILogger logger) => new()
    {
        MountPoint = MountPoint,
        Source = Source,
        Subtype = Subtype,
        AllowOther = AllowOther,
        NoExec = NoExec,
        MaxWorkers = MaxWorkers,
        MaxReadBytes = MaxReadBytes,
        Transport = Transport,
        PrefillPageCache = Prefill,
        Sandbox = Sandbox ? new SandboxSettings() : null,
        Logger = logger,
    };

    /// <summary>
    /// The arguments of <c>erofs-accel</c> that describe this mount (every setting as an -o option), for the server
    /// started in the background: parsing them gives this record back.
    /// </summary>
    public IReadOnlyList<string> ToArguments()
    {
        var o = new List<string>();
        void Add(string name, string? value = null) => o.Add(value is null ? name : $"{name}={MountOptionTable.Escape(value)}");
        foreach (var d in Settings.Devices) Add("device", d);
        if (Settings.Offset != 0) Add("offset", Settings.Offset.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (Settings.Accel is not null) Add("accel", Settings.Accel.Replace(',', '+'));
        if (Settings.CacheMegabytes != new ImageSettings().CacheMegabytes) Add("cache_mb", Invariant(Settings.CacheMegabytes));
        if (Settings.MaxInflight != new ImageSettings().MaxInflight) Add("max_inflight", Invariant(Settings.MaxInflight));
        if (MaxWorkers != DefaultMaxWorkers) Add("max_workers", Invariant(MaxWorkers));
        if (MaxReadBytes != DefaultMaxReadBytes) Add("max_read", Invariant(MaxReadBytes));
        if (AllowOther) Add("allow_other");
        if (NoExec) Add("noexec");
        if (FsName is not null) Add("fsname", FsName);
        if (Subtype != DefaultSubtype) Add("subtype", Subtype);
        if (Uring is { } uring) Add("uring", uring ? "on" : "off");
        if (!Prefill) Add("prefill", "off");
        if (!Sandbox) Add("sandbox", "off");
        if (Log is not null) Add("log", Log);
        var args = new List<string> { Image, MountPoint, "-o", string.Join(',', o.Prepend("ro")) };
        if (Settings.Verbose) args.Add("-v");
        if (Foreground) args.Add("--foreground");
        return args;
    }

    private static string Invariant(int value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
