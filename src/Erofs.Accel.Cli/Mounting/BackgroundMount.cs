using System.Diagnostics;
using System.Text;

namespace Erofs.Accel.Cli.Mounting;

/// <summary>
/// Starts the mount's server as a new process in its own session (setsid), with the same options, and returns once it
/// reports ready (then prints where it logs) or has failed (then prints its one-line error and returns its exit code).
/// </summary>
internal static class BackgroundMount
{
    /// <summary>What the background server prints on stdout once mounted, followed by its log destination.</summary>
    public const string ReadyLine = "EROFS-ACCEL-READY";

    private const string SetsidPath = "/usr/bin/setsid";

    /// <summary>The runtime's delay before tiered compilation starts counting calls (read from the environment only).</summary>
    internal const string TieringDelayVariable = "DOTNET_TC_CallCountingDelayMs";

    public static int Start(MountOptions options, TextWriter stdout, TextWriter stderr)
    {
        options = WithAbsolutePaths(options);
        var self = Environment.ProcessPath ?? throw new IOException("cannot find the erofs-accel executable to start in the background");
        var psi = new ProcessStartInfo(File.Exists(SetsidPath) ? SetsidPath : self)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        // A new mount is read hardest right after it is mounted (a first walk of the tree), and by default the runtime
        // waits until 100 ms have passed without a method run for the first time before it counts calls and compiles
        // hot methods fully; a first walk keeps meeting new methods, so it ran on unoptimized code to its end (0.64 s
        // against 0.44 s for 4,000 small files, docs/benchmarks.md). Count from the start unless the user chose.
        if (Environment.GetEnvironmentVariable(TieringDelayVariable) is null) psi.Environment[TieringDelayVariable] = "0";
        if (psi.FileName == SetsidPath) psi.ArgumentList.Add(self);
        // run as "dotnet erofs-accel.dll" (the development launcher, the tests): start the same dll
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
            psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, typeof(BackgroundMount).Assembly.GetName().Name + ".dll"));
        psi.ArgumentList.Add("mount");
        foreach (var a in options.ToArguments()) psi.ArgumentList.Add(a);
        psi.ArgumentList.Add(MountArguments.NotifyReadyFlag);
        using var child = Process.Start(psi) ?? throw new IOException("cannot start the background mount process");
        child.StandardInput.Close();
        var errors = new StringBuilder();
        child.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null) lock (errors) errors.AppendLine(e.Data);
        };
        child.BeginErrorReadLine();
        string? line;
        while ((line = child.StandardOutput.ReadLine()) is not null)
        {
            if (!line.StartsWith(ReadyLine, StringComparison.Ordinal)) continue;
            var log = line.Length > ReadyLine.Length ? line[(ReadyLine.Length + 1)..] : "nowhere";
            lock (errors) stderr.Write(errors.ToString()); // warnings printed while starting
            stdout.WriteLine($"mounted {options.Image} on {options.MountPoint} (server pid {child.Id}, log: {log}); unmount with: umount {options.MountPoint}");
            return CliApp.ExitOk;
        }
        child.WaitForExit();
        lock (errors) stderr.Write(errors.ToString());
        return child.ExitCode == 0 ? CliApp.ExitFailure : child.ExitCode;
    }

    /// <summary>Paths as the user meant them from the current folder, whatever folder the server ends up in.</summary>
    private static MountOptions WithAbsolutePaths(MountOptions o) => o with
    {
        Image = Path.GetFullPath(o.Image),
        MountPoint = Path.GetFullPath(o.MountPoint),
        Settings = o.Settings with { Devices = o.Settings.Devices.Select(Path.GetFullPath).ToArray() },
        Log = o.Log is null or "syslog" or "stderr" ? o.Log : Path.GetFullPath(o.Log),
        FsName = o.FsName,
    };
}
