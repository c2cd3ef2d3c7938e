using Erofs.Accel.Cli.Commands;

namespace Erofs.Accel.Cli;

/// <summary>Command dispatch and the one-line error contract: usage errors exit 2, image and I/O errors exit 1.</summary>
public static class CliApp
{
    public const int ExitOk = 0, ExitFailure = 1, ExitUsage = 2, ExitInternal = 70;

    private static readonly ICommand[] Commands =
    {
        new InfoCommand(), new LsCommand(), new StatCommand(), new CatCommand(), new ExtractCommand(),
        new ManifestCommand(), new MountCommand(), new BackendsCommand(), new BenchCommand(),
        new ServeCommand(), new AttachCommand(), new DetachCommand(), new UmountCommand(), new ListCommand(), new StatsCommand(),
    };

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
        if (cmd is null)
        {
            stderr.WriteLine($"erofs-accel: unknown command '{args[0]}' (try 'erofs-accel help')");
            return ExitUsage;
        }
        try
        {
            if (args.Skip(1).Any(a => a is "--help" or "-h"))
            {
                stdout.WriteLine($"usage: erofs-accel {cmd.Usage}");
                stdout.WriteLine($"  {cmd.Summary}");
                if (cmd.Details is { } details) stdout.WriteLine(details);
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
            w.WriteLine($"usage: erofs-accel {c.Usage}");
            w.WriteLine($"  {c.Summary}");
            if (c.Details is { } details) w.WriteLine(details);
            return;
        }
        w.WriteLine("usage: erofs-accel COMMAND [ARGS...]");
        w.WriteLine("  image commands take --device FILE (extra devices, repeatable), --accel auto|software|qpl,qat,opencl");
        w.WriteLine("  (or $EROFS_ACCEL_POLICY), --cache-mb N (decoded-pcluster cache, default 128), --max-inflight N (requests queued per");
        w.WriteLine("  accelerator, default 256) and -v (report which decompression backends served the reads)");
        w.WriteLine();
        foreach (var cmd in Commands)
            w.WriteLine($"  {cmd.Usage,-58} {cmd.Summary}");
        w.WriteLine();
        w.WriteLine("'erofs-accel help COMMAND' shows one command.");
    }
}
