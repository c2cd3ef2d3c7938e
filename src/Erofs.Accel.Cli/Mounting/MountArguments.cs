using Erofs.Accel.Cli.Commands;

namespace Erofs.Accel.Cli.Mounting;

/// <summary>A parsed <c>mount</c> command line: the options, the warnings parsing produced, and internal flags.</summary>
/// <param name="NotifyReady">Internal: the background server prints a ready line for its parent instead of a message.</param>
/// <param name="Standalone">--standalone: serve in a process of its own even when a daemon runs.</param>
/// <param name="DaemonSocket">--socket PATH: the daemon's control socket (null: the default).</param>
internal sealed record ParsedMount(MountOptions Options, IReadOnlyList<string> Warnings, bool NotifyReady, bool Standalone = false,
    string? DaemonSocket = null);

/// <summary>
/// Reads the two ways a mount is asked for into <see cref="MountOptions"/>:
/// <list type="bullet">
/// <item><c>erofs-accel mount IMAGE DIR [-o OPTS]... [--device FILE]... [--offset N] [--foreground] ...</c>, which is
/// also what mount.fuse3 runs (<c>erofs-accel IMAGE DIR -o OPTS</c>);</item>
/// <item>the mount(8) helper convention, <c>mount.fuse.erofs-accel IMAGE DIR [-sfnv] [-N NS] [-o OPTS] [-t TYPE]</c>,
/// marked by <see cref="HelperFlag"/> as first argument (the installed helper script adds it).</item>
/// </list>
/// </summary>
internal static class MountArguments
{
    /// <summary>First argument of a mount(8) helper call.</summary>
    public const string HelperFlag = "--mount-helper";

    public const string NotifyReadyFlag = "--notify-ready";

    private static readonly string[] ValueOptions = [.. ImageArguments.ValueOptions, "-o", "--log", "--max-workers", "--transport", DaemonConnection.SocketOption];
    private static readonly string[] FlagOptions = [.. ImageArguments.FlagOptions, "--foreground", "-f", "--no-sandbox", NotifyReadyFlag, DaemonMount.StandaloneFlag];

    public static ParsedMount Parse(IReadOnlyList<string> args, string usage)
    {
        if (args.Count > 0 && args[0] == HelperFlag) return ParseHelper(args.Skip(1).ToList(), usage);
        var cl = CommandLine.Parse(args, ValueOptions, FlagOptions);
        cl.ExpectPositionals(2, 2, usage);
        var options = new MountOptions
        {
            Image = cl.Positionals[0],
            MountPoint = cl.Positionals[1],
            Settings = ImageArguments.Settings(cl),
            MaxWorkers = cl.LastInt("--max-workers", 1, 256) ?? MountOptions.DefaultMaxWorkers,
            Log = cl.Last("--log"),
            Foreground = cl.Has("--foreground") || cl.Has("-f"),
            Sandbox = !cl.Has("--no-sandbox"),
            Uring = ParseTransport(cl.Last("--transport")),
        };
        foreach (var o in cl.All("-o")) options = MountOptionTable.Apply(options, o);
        return new ParsedMount(options, [], cl.Has(NotifyReadyFlag), cl.Has(DaemonMount.StandaloneFlag), cl.Last(DaemonConnection.SocketOption));
    }

    /// <summary>--transport: auto (io_uring where the kernel offers it, the default), uring (required) or classic (/dev/fuse).</summary>
    internal static bool? ParseTransport(string? value) => value switch
    {
        null or "auto" => null,
        "uring" or "io_uring" => true,
        "classic" => false,
        _ => throw new UsageException($"--transport: expected auto, uring or classic, not '{value}'"),
    };

    /// <summary>mount(8) runs /sbin/mount.TYPE SPEC DIR [-sfnv] [-N NAMESPACE] [-o OPTIONS] [-t TYPE] (mount(8), "External helpers").</summary>
    private static ParsedMount ParseHelper(List<string> args, string usage)
    {
        var cl = CommandLine.Parse(args, ["-o", "-N", "-t"], ["-s", "-f", "-n", "-v"]);
        cl.ExpectPositionals(2, 2, usage);
        if (cl.Last("-N") is { } ns)
            throw new UsageException($"mounting in another mount namespace (-N {ns}) is not supported: run mount inside it");
        var warnings = new List<string>();
        var options = new MountOptions
        {
            Image = cl.Positionals[0],
            MountPoint = cl.Positionals[1],
            Settings = new ImageSettings { Verbose = cl.Has("-v") },
            Fake = cl.Has("-f"),
        };
        foreach (var o in cl.All("-o")) options = MountOptionTable.Apply(options, o, sloppy: cl.Has("-s"), warnings);
        return new ParsedMount(options, warnings, NotifyReady: false);
    }
}
