using System.Runtime.InteropServices;
using Erofs.Accel.Cli.Mounting;
using Erofs.Accel.Fuse;
using Microsoft.Extensions.Logging;

namespace Erofs.Accel.Cli.Commands;

/// <summary>
/// <c>mount IMAGE MOUNTPOINT</c>: serve the image read-only through FUSE. The command line (or a mount(8) helper
/// call) is parsed into <see cref="MountOptions"/>; by default the server then goes to the background
/// (<see cref="BackgroundMount"/>) and the command returns once the mount is ready; <c>--foreground</c> keeps it
/// attached until SIGTERM, SIGINT or an outside <c>umount</c>. <see cref="ImageMount"/> is where the server starts.
/// </summary>
internal sealed class MountCommand : ICommand
{
    public string Name => "mount";
    public string Usage => "mount IMAGE MOUNTPOINT [-o OPTIONS] [--device FILE]... [--offset N] [--accel POLICY] [--foreground] [--log FILE|syslog] [--max-workers N] [--transport auto|uring|classic] [--no-sandbox] [-v] [--standalone] [--socket PATH]";
    public string Summary => "mount the image read-only with FUSE (background unless --foreground; unmount with umount)";

    /// <summary>The -o options, for 'erofs-accel help mount'.</summary>
    public string Details => string.Join(Environment.NewLine,
        new[] { "options (-o NAME[,NAME=VALUE]...; the same as mount -t fuse.erofs-accel IMAGE DIR -o ... and fstab):" }
            .Concat(MountOptionTable.HelpLines()));

    public int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var parsed = MountArguments.Parse(args, Usage);
        foreach (var warning in parsed.Warnings) stderr.WriteLine($"erofs-accel mount: warning: {warning}");
        var options = parsed.Options;
        if (options.Fake) return CheckOnly(options, stderr);
        if (DaemonMount.TryMount(parsed, stdout) is { } viaDaemon) return viaDaemon;
        if (!options.Foreground && !parsed.NotifyReady) return BackgroundMount.Start(options, stdout, stderr);
        return Serve(options, parsed.NotifyReady, stdout, stderr);
    }

    /// <summary>mount(8) -f: open the image and check its devices, mount nothing.</summary>
    private static int CheckOnly(MountOptions options, TextWriter stderr)
    {
        var logger = new LineLogger(stderr, options.LogLevel);
        using var session = ImageArguments.Open(options.Image, options.Settings, logger);
        ImageMount.CheckDevices(session, logger);
        return CliApp.ExitOk;
    }

    /// <summary>
    /// Serves in this process until the mount ends. With <paramref name="notifyReady"/> (the background server) the
    /// ready line goes to stdout for the parent, and from then on the log goes to its destination instead of stderr.
    /// </summary>
    private static int Serve(MountOptions options, bool notifyReady, TextWriter stdout, TextWriter stderr)
    {
        var lines = new LineLogger(stderr, options.LogLevel);
        using var logger = new RateLimitedLogger(lines);
        // opened before the sandbox takes the right to open it away
        var destination = MountLog.Open(options.Log, background: notifyReady, stderr);
        // a stop asked for between the mount and Run (which then takes signals over) unmounts instead of killing us
        using var stopEarly = new CancellationTokenSource();
        using var earlyTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stopEarly.Cancel(); });
        using var earlyInt = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stopEarly.Cancel(); });
        try
        {
            if (!notifyReady) lines.Redirect(destination);
            using var mount = ImageMount.Start(options, logger);
            mount.Session.VerboseOutput = stderr;
            int code = mount.Server.Run(onReady: () =>
            {
                if (notifyReady)
                {
                    stdout.WriteLine($"{BackgroundMount.ReadyLine} {destination.Description}");
                    stdout.Flush();
                    // the parent stops listening once it has read the line
                    lines.Redirect(destination);
                    mount.Session.VerboseOutput = null;
                }
                else
                {
                    stderr.WriteLine($"erofs-accel: mounted {options.Image} on {mount.Server.MountPoint} ({(mount.Server.ActiveTransport == FuseTransport.IoUring ? "io_uring" : "/dev/fuse")}, log: {destination.Description}); stop with umount or Ctrl-C");
                }
            }, stopEarly.Token);
            if (code != 0) logger.LogError("the FUSE session on {MountPoint} ended with an error", mount.Server.MountPoint);
            return code == 0 ? CliApp.ExitOk : CliApp.ExitFailure;
        }
        finally
        {
            logger.Flush();
            (destination as IDisposable)?.Dispose();
        }
    }
}
