using Erofs.Accel.Service.Control;

namespace Erofs.Accel.Cli.Commands;

/// <summary>
/// <c>mount</c> through a running daemon (docs/service.md): when one listens on the socket, it mounts the image with
/// its shared engine instead of a new server process. Standalone otherwise, with <c>--standalone</c>, and with the
/// options only a server of its own honours (a policy, cache or queue size, log, worker count, sandbox, -v,
/// --foreground).
/// </summary>
internal static class DaemonMount
{
    public const string StandaloneFlag = "--standalone";

    private static readonly string[] StandaloneOnly =
        { "--accel", "--cache-mb", "--max-inflight", "--log", "--max-workers", "-v", "--verbose", "--foreground", "--no-sandbox", StandaloneFlag };

    /// <summary>The exit code of a mount done by the daemon, or null when the caller mounts standalone.</summary>
    public static int? TryMount(IReadOnlyList<string> args, string image, string mountPoint, IReadOnlyList<string> devices, CommandLine cl, TextWriter stdout)
    {
        if (args.Any(a => StandaloneOnly.Any(o => a == o || a.StartsWith(o + "=", StringComparison.Ordinal)))) return null;
        using var daemon = DaemonConnection.TryConnect(cl);
        if (daemon is null) return null;
        var full = Path.GetFullPath(mountPoint);
        var response = DaemonConnection.Call(daemon, new ControlRequest
        {
            Op = ControlOperations.Mount,
            Image = Path.GetFullPath(image),
            MountPoint = full,
            Devices = DaemonConnection.Absolute(devices),
        });
        stdout.WriteLine($"{response.Message}; unmount with: erofs-accel umount {full}");
        return CliApp.ExitOk;
    }
}
