using Erofs.Accel.Fuse;
using Erofs.Accel.Service.Control;
using Erofs.Accel.Service.Hosting;
using Microsoft.Extensions.Logging;

namespace Erofs.Accel.Cli.Commands;

/// <summary>
/// <c>serve</c>: the host daemon. One process, one decompression engine and cache for every image; images come and go
/// through the control socket (<c>mount</c>, <c>attach</c>, <c>detach</c>, <c>umount</c>, <c>list</c>, <c>stats</c>).
/// Runs in the foreground until SIGTERM or SIGINT (for systemd: sd_notify READY/STOPPING when $NOTIFY_SOCKET is set),
/// then unmounts everything.
/// </summary>
internal sealed class ServeCommand : ICommand
{
    private static readonly string[] ValueOptions =
        { "--root", DaemonConnection.SocketOption, "--socket-group", "--accel", "--cache-mb", "--max-inflight", "--max-workers", "--transport" };

    public string Name => "serve";
    public string Usage => "serve [--root DIR] [--socket PATH] [--socket-group GROUP] [--accel POLICY] [--cache-mb N] [--max-inflight N] [--max-workers N] [--transport classic|auto|uring] [-v]";
    public string Summary => "run the host daemon: one engine and cache for many images; --root DIR serves attached images as DIR/NAME";

    public int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var cl = CommandLine.Parse(args, ValueOptions, new[] { "-v", "--verbose" });
        cl.ExpectPositionals(0, 0, Usage);
        var logger = new LineLogger(stderr, cl.Has("-v") || cl.Has("--verbose") ? LogLevel.Debug : LogLevel.Information);
        var options = new ServiceOptions
        {
            SocketPath = DaemonConnection.SocketPath(cl),
            NamespaceRoot = cl.Last("--root") is { } root ? Path.GetFullPath(root) : null,
            Policy = ImageArguments.Policy(cl),
            DecodedCacheBytes = (long)(cl.LastInt("--cache-mb", 0, 1 << 20) ?? 256) << 20,
            QueueCapacity = cl.LastInt("--max-inflight", 1, 1 << 16) ?? 256,
            MaxWorkersPerMount = cl.LastInt("--max-workers", 1, 256) ?? 8,
            MountTransport = cl.Last("--transport") is { } transport ? Transport(transport) : FuseTransport.Classic,
            SocketGroupId = cl.Last("--socket-group") is { } group ? GroupId(group) : null,
            Logger = logger,
        };
        var notifier = new SystemdNotifier();
        using var daemon = ServiceDaemon.Start(options);
        daemon.RunUntilStopped(
            onReady: () => notifier.Ready($"serving on {options.SocketPath}"),
            onStopping: () => notifier.Stopping());
        return CliApp.ExitOk;
    }

    /// <summary>--transport of the daemon's own mounts: classic (/dev/fuse, the default: fastest to mount), auto or uring.</summary>
    private static FuseTransport Transport(string value) => Mounting.MountArguments.ParseTransport(value) switch
    {
        true => FuseTransport.IoUring,
        false => FuseTransport.Classic,
        null => FuseTransport.Automatic,
    };

    /// <summary>A group name (from /etc/group) or number.</summary>
    private static uint GroupId(string group)
    {
        if (uint.TryParse(group, out var id)) return id;
        foreach (var line in File.ReadLines("/etc/group"))
        {
            var fields = line.Split(':');
            if (fields.Length >= 3 && fields[0] == group && uint.TryParse(fields[2], out id)) return id;
        }
        throw new UsageException($"--socket-group: no group named '{group}'");
    }
}
