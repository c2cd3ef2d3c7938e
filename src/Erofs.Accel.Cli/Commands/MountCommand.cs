using System.Diagnostics;
using Erofs.Accel.Fuse;
using Erofs.Accel.Mount;
using Microsoft.Extensions.Logging;

namespace Erofs.Accel.Cli.Commands;

/// <summary>
/// <c>mount IMAGE MOUNTPOINT</c>: serve the image read-only through FUSE. By default the server goes to the
/// background and the command returns once the mount is ready; <c>--foreground</c> keeps it attached until SIGTERM,
/// SIGINT or an outside <c>umount</c>.
/// </summary>
public sealed class MountCommand : ICommand
{
    private const string ReadyLine = "EROFS-ACCEL-READY";

    public string Name => "mount";
    public string Usage => "mount IMAGE MOUNTPOINT [--device FILE]... [--accel POLICY] [--foreground] [--log FILE] [--max-workers N] [--no-sandbox] [-v] [--standalone] [--socket PATH]";
    public string Summary => "mount the image read-only with FUSE (background unless --foreground; unmount with umount)";

    public int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var cl = CommandLine.Parse(args, ImageArguments.ValueOptions.Concat(new[] { "--log", "--max-workers", DaemonConnection.SocketOption }),
            ImageArguments.FlagOptions.Concat(new[] { "--foreground", "--notify-ready", "--no-sandbox", DaemonMount.StandaloneFlag }));
        cl.ExpectPositionals(2, 2, Usage);
        int maxWorkers = cl.LastInt("--max-workers", 1, 256) ?? 16;
        ImageArguments.Policy(cl); // refuse a bad --accel before anything starts
        if (DaemonMount.TryMount(args, cl.Positionals[0], cl.Positionals[1], cl.All("--device"), cl, stdout) is { } viaDaemon) return viaDaemon;
        if (!cl.Has("--foreground")) return RunInBackground(args.Where(a => a != DaemonMount.StandaloneFlag).ToArray(), stdout, stderr);

        var logger = new LineLogger(stderr, cl.Has("-v") || cl.Has("--verbose") ? LogLevel.Information : LogLevel.Warning);
        var log = cl.Last("--log");
        var image = cl.Positionals[0];
        var mountPoint = cl.Positionals[1];
        using var session = ImageArguments.Open(image, cl, logger);
        session.VerboseOutput = stderr;
        // a corrupt image fails here, before anything is mounted
        _ = session.Image.ListDirectory(session.Image.Root).Take(2).ToList();
        // a stop asked for between the mount and Run (which then takes signals over) unmounts instead of killing us
        using var stopEarly = new CancellationTokenSource();
        using var earlyTerm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, c => { c.Cancel = true; stopEarly.Cancel(); });
        using var earlyInt = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGINT, c => { c.Cancel = true; stopEarly.Cancel(); });
        FuseServer server;
        try
        {
            server = FuseServer.Mount(new ErofsFileSystem(session.Image), new FuseServerOptions
            {
                MountPoint = mountPoint,
                Source = Path.GetFullPath(image),
                MaxWorkers = maxWorkers,
                Logger = logger,
                // once mounted, the server that decodes the image gives up root, capabilities and most system calls
                Sandbox = cl.Has("--no-sandbox") ? null : new SandboxSettings(),
            });
        }
        catch (FuseMountException e)
        {
            throw new IOException(e.Message);
        }
        using (server)
        {
            // opened before the sandbox takes the right to open it away
            var logFile = cl.Has("--notify-ready") && log is not null ? OpenLog(log) : null;
            int code = server.Run(onReady: () =>
            {
                if (cl.Has("--notify-ready"))
                {
                    stdout.WriteLine(ReadyLine);
                    stdout.Flush();
                    // the parent stops listening once it has read the line
                    logger.Redirect(logFile ?? TextWriter.Null);
                    session.VerboseOutput = null;
                }
                else stderr.WriteLine($"erofs-accel: mounted {image} on {server.MountPoint} ({server.Method}); stop with umount or Ctrl-C");
            }, stopEarly.Token);
            if (code != 0) stderr.WriteLine($"erofs-accel mount: the FUSE session ended with an error (see the log)");
            return code == 0 ? CliApp.ExitOk : CliApp.ExitFailure;
        }
    }

    private static TextWriter OpenLog(string path) => TextWriter.Synchronized(new StreamWriter(path, append: true) { AutoFlush = true });

    /// <summary>Starts this command again in the foreground, in a new session, and returns when it reports ready.</summary>
    private static int RunInBackground(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var self = Environment.ProcessPath ?? throw new IOException("cannot find the erofs-accel executable to start in the background");
        var psi = new ProcessStartInfo(File.Exists("/usr/bin/setsid") ? "/usr/bin/setsid" : self)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        if (psi.FileName == "/usr/bin/setsid") psi.ArgumentList.Add(self);
        if (Path.GetFileNameWithoutExtension(self) == "dotnet") psi.ArgumentList.Add(typeof(MountCommand).Assembly.Location);
        psi.ArgumentList.Add("mount");
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.ArgumentList.Add("--foreground");
        psi.ArgumentList.Add("--notify-ready");
        using var child = Process.Start(psi) ?? throw new IOException("cannot start the background mount process");
        child.StandardInput.Close();
        var errors = new System.Text.StringBuilder();
        child.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (errors) errors.AppendLine(e.Data); };
        child.BeginErrorReadLine();
        string? line;
        while ((line = child.StandardOutput.ReadLine()) is not null)
        {
            if (line == ReadyLine)
            {
                stdout.WriteLine($"mounted {args.FirstOrDefault(a => !a.StartsWith('-'))} (server pid {child.Id}); unmount with: umount {FindMountPoint(args)}");
                return CliApp.ExitOk;
            }
        }
        child.WaitForExit();
        lock (errors) stderr.Write(errors.ToString());
        return child.ExitCode == 0 ? CliApp.ExitFailure : child.ExitCode;
    }

    private static string FindMountPoint(string[] args)
    {
        var cl = CommandLine.Parse(args, ImageArguments.ValueOptions.Concat(new[] { "--log", "--max-workers", DaemonConnection.SocketOption }),
            ImageArguments.FlagOptions.Concat(new[] { "--foreground", "--notify-ready", "--no-sandbox" }));
        return cl.Positionals[1];
    }
}
