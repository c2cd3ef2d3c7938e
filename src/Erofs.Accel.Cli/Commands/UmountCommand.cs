using Erofs.Accel.Service.Control;
using Erofs.Accel.Service.Hosting;

namespace Erofs.Accel.Cli.Commands;

/// <summary>
/// <c>umount MOUNTPOINT</c>: unmount an erofs-accel mount. A mount (or namespace folder) of the running daemon is
/// removed through it; any other mount point is unmounted directly, which ends its standalone server. Busy mounts are
/// refused unless --force (a lazy detach).
/// </summary>
internal sealed class UmountCommand : ICommand
{
    public string Name => "umount";
    public string Usage => "umount MOUNTPOINT|NAME [--force] [--socket PATH]";
    public string Summary => "unmount (through the daemon when it serves the mount; busy mounts only with --force)";

    public int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var cl = CommandLine.Parse(args, new[] { DaemonConnection.SocketOption }, new[] { "--force" });
        cl.ExpectPositionals(1, 1, Usage);
        var target = cl.Positionals[0];
        bool force = cl.Has("--force");
        bool isPath = target.Contains('/') || Directory.Exists(target);
        using (var daemon = DaemonConnection.TryConnect(cl))
        {
            if (daemon is not null && Serves(daemon, target, isPath))
            {
                var response = DaemonConnection.Call(daemon, new ControlRequest
                {
                    Op = ControlOperations.Unmount,
                    Name = isPath ? null : target,
                    MountPoint = isPath ? Path.GetFullPath(target).TrimEnd('/') : null,
                    Force = force,
                });
                stdout.WriteLine(response.Message);
                return CliApp.ExitOk;
            }
        }
        var error = MountPoints.Unmount(Path.GetFullPath(target), lazy: force);
        if (error is not null) throw new IOException(error);
        return CliApp.ExitOk;
    }

    /// <summary>True when the daemon serves <paramref name="target"/> (a name, a mount point or a namespace folder).</summary>
    private static bool Serves(ControlClient daemon, string target, bool isPath)
    {
        var mounts = DaemonConnection.Call(daemon, new ControlRequest { Op = ControlOperations.List }).Mounts ?? new();
        if (!isPath) return mounts.Any(m => m.Name == target);
        var full = Path.GetFullPath(target).TrimEnd('/');
        return mounts.Any(m => m.Location == full);
    }
}
