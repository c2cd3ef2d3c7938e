using Erofs.Accel.Service.Control;
using Erofs.Accel.Cli.Mounting;

namespace Erofs.Accel.Cli.Commands;

/// <summary>
/// <c>mount</c> through a running daemon (docs/service.md): when one listens on the socket, it mounts the image with
/// its shared engine instead of a new server process. Standalone otherwise, with <c>--standalone</c>, and with any
/// setting only a server of its own honours (every option but the devices: a policy, cache or queue size, offset, log,
/// worker count, transport, sandbox, allow_other and the other -o options, -v, --foreground).
/// </summary>
internal static class DaemonMount
{
    public const string StandaloneFlag = "--standalone";

    /// <summary>The exit code of a mount done by the daemon, or null when the caller mounts standalone.</summary>
    public static int? TryMount(ParsedMount parsed, TextWriter stdout)
    {
        var options = parsed.Options;
        if (parsed.Standalone || parsed.NotifyReady || !OnlyImageAndDevices(options)) return null;
        using var daemon = ControlClient.TryConnect(ControlSocket.Resolve(parsed.DaemonSocket));
        if (daemon is null) return null;
        var full = Path.GetFullPath(options.MountPoint);
        var response = DaemonConnection.Call(daemon, new ControlRequest
        {
            Op = ControlOperations.Mount,
            Image = Path.GetFullPath(options.Image),
            MountPoint = full,
            Devices = DaemonConnection.Absolute(options.Settings.Devices),
        });
        stdout.WriteLine($"{response.Message}; unmount with: erofs-accel umount {full}");
        return CliApp.ExitOk;
    }

    /// <summary>True when the mount asks for nothing but an image, its devices and a mount point (all defaults).</summary>
    private static bool OnlyImageAndDevices(MountOptions options)
    {
        var defaults = new MountOptions { Image = options.Image, MountPoint = options.MountPoint };
        var withoutDevices = options with { Settings = options.Settings with { Devices = defaults.Settings.Devices } };
        return withoutDevices == defaults && Environment.GetEnvironmentVariable("EROFS_ACCEL_POLICY") is null;
    }
}
