using System.Diagnostics;

namespace Erofs.Accel.Cli.Tests;

/// <summary>
/// Runs the CLI in a child process: to measure its peak resident memory (python3 reads it from the kernel's rusage of
/// the finished child), to bound its heap (DOTNET_GCHeapHardLimit), to stop a run that would take days, and to run it
/// as the unprivileged user nobody with a chosen umask (setpriv, as CI runs the tests as root).
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal static class CliProcess
{
    public const uint Nobody = 65534;

    public sealed record Result(int Exit, string Out, string Err, long PeakRssMiB, bool TimedOut);

    public sealed class Options
    {
        /// <summary>Run as nobody:nogroup with no supplementary groups, with this umask.</summary>
        public uint? AsNobodyWithUmask { get; init; }
        /// <summary>DOTNET_GCHeapHardLimit for the child (bytes).</summary>
        public long? HeapLimitBytes { get; init; }
        /// <summary>Send the child's standard output to /dev/null (manifests of deep trees are gigabytes).</summary>
        public bool DiscardOutput { get; init; }
        public int TimeoutSeconds { get; init; } = 300;
    }

    private const string RusageWrapper =
        "import resource, subprocess, sys\n" +
        "r = subprocess.run(sys.argv[2:], stdout=subprocess.DEVNULL if sys.argv[1] == '1' else None)\n" +
        "sys.stderr.write('\\npeak-rss-kib=%d\\n' % resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n" +
        "sys.exit(r.returncode if r.returncode >= 0 else 128 - r.returncode)\n";

    private static readonly Lazy<string> CliDirectory = new(FindOrCopyCli);

    public static void RequireTools(bool asNobody)
    {
        if (!File.Exists("/usr/bin/python3")) Assert.Skip("python3 is not installed (scripts/install-deps.sh --test installs it)");
        if (!asNobody) return;
        if (Libc.geteuid() != 0) Assert.Skip("running as nobody needs root (setpriv)");
        if (!File.Exists("/usr/bin/setpriv")) Assert.Skip("setpriv (util-linux) is not installed");
    }

    public static Result Run(Options options, params string[] args)
    {
        RequireTools(options.AsNobodyWithUmask is not null);
        var psi = new ProcessStartInfo("/usr/bin/python3")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(RusageWrapper);
        psi.ArgumentList.Add(options.DiscardOutput ? "1" : "0");
        if (options.AsNobodyWithUmask is { } umask)
        {
            foreach (var a in new[] { "/usr/bin/setpriv", $"--reuid={Nobody}", $"--regid={Nobody}", "--clear-groups", "/bin/sh", "-c", $"umask {Convert.ToString(umask, 8)}; exec \"$@\"", "sh" })
                psi.ArgumentList.Add(a);
            psi.Environment["HOME"] = Path.GetTempPath();
        }
        psi.ArgumentList.Add(DotnetHost());
        psi.ArgumentList.Add(Path.Combine(options.AsNobodyWithUmask is null ? AppContext.BaseDirectory : CliDirectory.Value, "erofs-accel.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        if (options.HeapLimitBytes is { } limit) psi.Environment["DOTNET_GCHeapHardLimit"] = "0x" + limit.ToString("x");
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEndAsync();
        bool exited = p.WaitForExit(options.TimeoutSeconds * 1000);
        if (!exited)
        {
            p.Kill(entireProcessTree: true);
            p.WaitForExit();
        }
        var err = error.Result;
        long peak = 0;
        int at = err.LastIndexOf("\npeak-rss-kib=", StringComparison.Ordinal);
        if (at >= 0)
        {
            peak = long.Parse(err[(at + 14)..].Trim()) / 1024;
            err = err[..at];
        }
        return new Result(exited ? p.ExitCode : -1, output.Result, err, peak, !exited);
    }

    /// <summary>The dotnet host running these tests (the same one runs the CLI).</summary>
    private static string DotnetHost()
    {
        var host = Environment.ProcessPath;
        if (host is not null && Path.GetFileNameWithoutExtension(host) == "dotnet") return host;
        return "dotnet";
    }

    /// <summary>
    /// A folder with the CLI that nobody can read: the test output folder when every folder above it is searchable by
    /// others, else a copy in the temp folder (removed when the tests end).
    /// </summary>
    private static string FindOrCopyCli()
    {
        var dir = AppContext.BaseDirectory.TrimEnd('/');
        if (ReadableByOthers(dir)) return dir;
        var copy = Path.Combine(Path.GetTempPath(), $"erofs-accel-cli-{Guid.NewGuid():N}");
        Directory.CreateDirectory(copy);
        foreach (var f in Directory.GetFiles(dir))
            File.Copy(f, Path.Combine(copy, Path.GetFileName(f)));
        foreach (var sub in Directory.GetDirectories(dir))
            CopyTree(sub, Path.Combine(copy, Path.GetFileName(sub)));
        MakeReadableByOthers(copy);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Erofs.Accel.Testing.TestPaths.DeleteTree(copy);
        return copy;
    }

    private static void CopyTree(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var f in Directory.GetFiles(from)) File.Copy(f, Path.Combine(to, Path.GetFileName(f)));
        foreach (var d in Directory.GetDirectories(from)) CopyTree(d, Path.Combine(to, Path.GetFileName(d)));
    }

    /// <summary>Whether every folder from / down to <paramref name="dir"/> lets others search it, and it lets them read.</summary>
    public static bool ReadableByOthers(string dir)
    {
        for (var d = new DirectoryInfo(dir); d is not null; d = d.Parent)
            if ((File.GetUnixFileMode(d.FullName) & UnixFileMode.OtherExecute) == 0) return false;
        return (File.GetUnixFileMode(dir) & UnixFileMode.OtherRead) != 0;
    }

    /// <summary>Makes a test folder (and what is in it) readable and searchable by everyone.</summary>
    public static void MakeReadableByOthers(string path)
    {
        var mode = File.GetUnixFileMode(path);
        bool isDir = Directory.Exists(path);
        File.SetUnixFileMode(path, mode | UnixFileMode.OtherRead | UnixFileMode.GroupRead | (isDir ? UnixFileMode.OtherExecute | UnixFileMode.GroupExecute : 0));
        if (!isDir) return;
        foreach (var e in Directory.EnumerateFileSystemEntries(path)) MakeReadableByOthers(e);
    }

    /// <summary>A new temp folder that nobody may write to (mode 1777, like /tmp).</summary>
    public static string NewSharedTempDirectory(string label)
    {
        var dir = Erofs.Accel.Testing.TestPaths.NewTempDirectory(label);
        File.SetUnixFileMode(dir, (UnixFileMode)0x3FF);
        return dir;
    }

    internal static partial class Libc
    {
        [System.Runtime.InteropServices.DllImport("libc")]
        public static extern uint geteuid();
    }
}
