using Erofs.Accel.Cli.Commands;
using Erofs.Accel.Decompression.OpenCl;

namespace Erofs.Accel.Cli;

/// <summary>Command dispatch and the one-line error contract: usage errors exit 2, image and I/O errors exit 1.</summary>
internal static class CliApp
{
    public const int ExitOk = 0, ExitFailure = 1, ExitUsage = 2, ExitInternal = 70;

    private static readonly ICommand[] Commands =
    {
        new InfoCommand(), new LsCommand(), new StatCommand(), new CatCommand(), new ExtractCommand(),
        new ManifestCommand(), new VerifyCommand(), new MountCommand(), new BackendsCommand(), new BenchCommand(),
        new ServeCommand(), new AttachCommand(), new DetachCommand(), new UmountCommand(), new ListCommand(), new StatsCommand(),
    };

    // composition: accelerators that live in their own assembly become available to --accel here
    static CliApp() => OpenClRegistration.Register();

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        if (args.Length == 0 || args[0] is "help" or "--help" or "-h")
        {
            PrintHelp(args.Length > 1 ? args[1] : null, args.Length == 0 ? stderr : stdout);
            return args.Length == 0 ? ExitUsage : ExitOk;
        }
        if (args[0] is "--version" or "version")
        {
            stdout.WriteLine($"erofs-accel {typeof(CliApp).Assembly.GetName().Version}");
            return ExitOk;
        }
        var cmd = Commands.FirstOrDefault(c => c.Name == args[0]);
        if (cmd is null && IsMountHelperCall(args))
        {
            // mount.fuse3 runs "erofs-accel IMAGE DIR -o OPTIONS" for mount -t fuse.erofs-accel
            cmd = Commands.OfType<MountCommand>().Single();
            args = [cmd.Name, .. args];
        }
        if (cmd is null)
        {
            stderr.WriteLine($"erofs-accel: unknown command '{args[0]}' (try 'erofs-accel help')");
            return ExitUsage;
        }
        try
        {
            if (args.Skip(1).Any(a => a is "--help" or "-h"))
            {
                PrintCommandHelp(cmd, stdout);
                return ExitOk;
            }
            return cmd.Run(args.Skip(1).ToArray(), stdout, stderr);
        }
        catch (UsageException e)
        {
            stderr.WriteLine($"erofs-accel {cmd.Name}: {e.Message}");
            return ExitUsage;
        }
        catch (Exception e) when (ErrorText.TryDescribe(e, out var text))
        {
            stdout.Flush();
            stderr.WriteLine($"erofs-accel {cmd.Name}: {text}");
            if (Environment.GetEnvironmentVariable("EROFS_ACCEL_DEBUG") == "1") stderr.WriteLine(e);
            return ExitFailure;
        }
        catch (Exception e)
        {
            stdout.Flush();
            stderr.WriteLine($"erofs-accel {cmd.Name}: internal error: {e.GetType().Name}: {e.Message} (set EROFS_ACCEL_DEBUG=1 for details)");
            if (Environment.GetEnvironmentVariable("EROFS_ACCEL_DEBUG") == "1") stderr.WriteLine(e);
            return ExitInternal;
        }
    }

    private static void PrintHelp(string? command, TextWriter w)
    {
        if (command is not null && Commands.FirstOrDefault(c => c.Name == command) is { } c)
        {
            PrintCommandHelp(c, w);
            return;
        }
        w.WriteLine("usage: erofs-accel COMMAND [ARGS...]");
        w.WriteLine("  image commands take --device FILE (extra devices, repeatable), --offset N (the image starts N bytes into the file or");
        w.WriteLine("  block device), --accel auto|software|qpl,qat,opencl");
        w.WriteLine("  (or $EROFS_ACCEL_POLICY), --cache-mb N (decoded-pcluster cache, default 128), --max-inflight N (requests queued per");
        w.WriteLine("  accelerator, default 256) and -v (report which decompression backends served the reads)");
        w.WriteLine();
        foreach (var cmd in Commands)
            w.WriteLine($"  {cmd.Usage,-58} {cmd.Summary}");
        w.WriteLine();
        w.WriteLine("'erofs-accel help COMMAND' shows one command; 'man erofs-accel' (when installed) shows everything.");
    }

    private static void PrintCommandHelp(ICommand c, TextWriter w)
    {
        w.WriteLine($"usage: erofs-accel {c.Usage}");
        w.WriteLine($"  {c.Summary}");
        if (c.Details is { } details) w.WriteLine(details);
    }

    /// <summary>"IMAGE DIR [-o OPTIONS]": the first argument names an existing file, not a command.</summary>
    private static bool IsMountHelperCall(string[] args) =>
        args.Length >= 2 && !args[0].StartsWith('-') && Path.Exists(args[0]) && !Directory.Exists(args[0]);
}
