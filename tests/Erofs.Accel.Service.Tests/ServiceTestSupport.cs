using System.Diagnostics;
using System.Runtime.InteropServices;
using Erofs.Accel.Service.Control;
using Erofs.Accel.Service.Hosting;
using Erofs.Accel.Testing;
using Microsoft.Extensions.Logging;

namespace Erofs.Accel.Service.Tests;

/// <summary>Tests that mount run one at a time: they share the kernel's FUSE state and the machine has few cores.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ServiceCollection
{
    public const string Name = "erofs-accel daemon";
}

/// <summary>Log lines kept for assertions (and echoed to the test output when one fails).</summary>
internal sealed class RecordingLogger : ILogger
{
    private readonly List<string> _lines = new();

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lines) return _lines.ToList();
        }
    }

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel)) return;
        lock (_lines) _lines.Add($"{logLevel}: {formatter(state, exception)}");
    }
}

/// <summary>
/// A daemon in this process, in a temporary folder (socket, state, namespace root), stopped and removed on dispose,
/// with a watchdog that aborts its mounts if a test hangs.
/// </summary>
internal sealed class TestDaemon : IDisposable
{
    private readonly Timer _watchdog;

    public string Folder { get; }
    public string SocketPath => Path.Combine(Folder, "control.sock");
    public string? Root { get; }
    public ServiceDaemon Daemon { get; }
    public RecordingLogger Log { get; } = new();

    public TestDaemon(bool withNamespace, ControlServerLimits? limits = null, uint? socketGroup = null, TimeSpan? watchdog = null)
    {
        if (withNamespace) Native.RequireFuseAndRoot();
        Folder = TestPaths.NewTempDirectory("svc");
        // other users (the peer-credential tests run clients as nobody) must reach the socket's folder
        File.SetUnixFileMode(Folder, (UnixFileMode)0x1ED);
        Root = withNamespace ? Path.Combine(Folder, "ns") : null;
        Daemon = ServiceDaemon.Start(new ServiceOptions
        {
            SocketPath = SocketPath,
            NamespaceRoot = Root,
            Logger = Log,
            SocketGroupId = socketGroup,
            ControlLimits = limits ?? new ControlServerLimits(),
            Policy = Decompression.Engine.AccelerationPolicy.Resolve("software"),
        });
        _watchdog = new Timer(_ => Native.RescueUnder(Folder), null, watchdog ?? TimeSpan.FromMinutes(5), Timeout.InfiniteTimeSpan);
    }

    public ControlClient Connect() => ControlClient.TryConnect(SocketPath) ?? throw new InvalidOperationException("the daemon does not listen");

    public ControlResponse Call(ControlRequest request)
    {
        using var client = Connect();
        return client.Send(request, TimeSpan.FromSeconds(60));
    }

    public ControlResponse Attach(string image, string? name = null, params string[] devices) =>
        Call(new ControlRequest { Op = ControlOperations.Attach, Image = image, Name = name, Devices = devices.ToList() });

    public void Dispose()
    {
        _watchdog.Dispose();
        Daemon.Dispose();
        Native.RescueUnder(Folder);
        TestPaths.DeleteTree(Folder);
    }
}

/// <summary>The CLI as a child process (dotnet erofs-accel.dll).</summary>
internal static class Cli
{
    public static readonly string Dll = Path.Combine(AppContext.BaseDirectory, "erofs-accel.dll");

    public static ProcessStartInfo StartInfo(IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        return psi;
    }

    /// <summary>Runs a client verb to the end.</summary>
    public static (int Exit, string Out, string Err) Run(params string[] args)
    {
        using var p = Process.Start(StartInfo(args))!;
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEndAsync();
        Assert.True(p.WaitForExit(120_000), $"erofs-accel {string.Join(' ', args)} did not finish");
        return (p.ExitCode, output.Result, error.Result);
    }
}

internal static partial class Native
{
    public static void RequireFuseAndRoot()
    {
        if (!File.Exists("/dev/fuse")) Assert.Skip("/dev/fuse is absent (no FUSE in this kernel or container)");
        if (geteuid() != 0) Assert.Skip("daemon mount tests need root (mount(2), the shared namespace)");
    }

    public static bool IsRoot => geteuid() == 0;

    /// <summary>Mount points at or below <paramref name="folder"/>, deepest first.</summary>
    public static List<string> MountsUnder(string folder)
    {
        var prefix = Path.GetFullPath(folder).TrimEnd('/');
        return File.ReadLines("/proc/self/mountinfo")
            .Select(l => l.Split(' '))
            .Where(f => f.Length > 4)
            .Select(f => f[4].Replace("\\040", " "))
            .Where(p => p == prefix || p.StartsWith(prefix + "/", StringComparison.Ordinal))
            .OrderByDescending(p => p.Length)
            .ToList();
    }

    /// <summary>Detaches everything mounted below a test folder (a failed test must not leave mounts behind).</summary>
    public static void RescueUnder(string folder)
    {
        for (int attempt = 0; attempt < 5; attempt++)
        {
            var mounts = MountsUnder(folder);
            if (mounts.Count == 0) return;
            foreach (var m in mounts) umount2(m, 2 /* MNT_DETACH */);
        }
    }

    public static bool WaitUntil(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) return false;
            Thread.Sleep(50);
        }
        return true;
    }

    [LibraryImport("libc")]
    internal static partial uint geteuid();

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int umount2(string target, int flags);

    [LibraryImport("libc", SetLastError = true)]
    internal static partial int kill(int pid, int signal);
}
