using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Erofs.Accel.Service.Control;
using Erofs.Accel.Service.Hosting;
using Erofs.Accel.Testing;

namespace Erofs.Accel.Service.Tests;

/// <summary>
/// contrib/systemd/erofs-accel.service: its ExecStart run exactly as systemd would (Type=notify, RUNTIME_DIRECTORY,
/// NOTIFY_SOCKET), with this build in place of the installed program and a notify socket the test listens on.
/// </summary>
[Collection(ServiceCollection.Name)]
public class SystemdUnitTests
{
    private static readonly string UnitFile = Path.Combine(AppContext.BaseDirectory, "contrib", "erofs-accel.service");

    /// <summary>The unit's [Service] settings (the last value of each key).</summary>
    internal static Dictionary<string, string> ServiceSection()
    {
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        string section = "";
        foreach (var raw in File.ReadLines(UnitFile))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] is '#' or ';') continue;
            if (line.StartsWith('[')) section = line;
            else if (section == "[Service]" && line.IndexOf('=') is > 0 and var eq) settings[line[..eq]] = line[(eq + 1)..];
        }
        return settings;
    }

    /// <summary>The unit's Environment= assignments, in order (one NAME=VALUE per line here).</summary>
    internal static List<(string Name, string Value)> EnvironmentSettings()
    {
        var result = new List<(string, string)>();
        foreach (var raw in File.ReadLines(UnitFile))
        {
            var line = raw.Trim();
            if (!line.StartsWith("Environment=", StringComparison.Ordinal)) continue;
            var assignment = line["Environment=".Length..];
            int eq = assignment.IndexOf('=');
            result.Add((assignment[..eq], assignment[(eq + 1)..]));
        }
        return result;
    }

    /// <summary>ExecStart split into words with ${VAR} and $VAR expanded from <paramref name="environment"/>, as systemd does.</summary>
    internal static List<string> ExecStart(IReadOnlyDictionary<string, string> environment)
    {
        var words = ServiceSection()["ExecStart"].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return words.Select(w =>
        {
            foreach (var (name, value) in environment) w = w.Replace("${" + name + "}", value);
            return w;
        }).ToList();
    }

    [Fact]
    public void TheUnitIsANotifyServiceWithARuntimeDirectory()
    {
        var s = ServiceSection();
        Assert.Equal("notify", s["Type"]);
        Assert.Equal("erofs-accel", s["RuntimeDirectory"]);
        Assert.Equal("SIGTERM", s["KillSignal"]);
        // hot code compiled fully from the first walk of an image on (the runtime reads this from the environment only)
        Assert.Contains(("DOTNET_TC_CallCountingDelayMs", "0"), EnvironmentSettings());
        var argv = ExecStart(new Dictionary<string, string> { ["RUNTIME_DIRECTORY"] = "/run/erofs-accel" });
        Assert.Equal("serve", argv[1]);
        // clients find the socket where the unit puts it without being told
        Assert.Equal(ControlSocket.DefaultPath, argv[argv.IndexOf("--socket") + 1]);
    }

    [Fact]
    public void TheDaemonStartedAsTheUnitDoesNotifiesReadyServesAndStopsCleanly()
    {
        Native.RequireFuseAndRoot();
        TestCorpus.RequireDirectory();
        var runtime = TestPaths.NewTempDirectory("unit");
        var notifyPath = Path.Combine(runtime, "notify.sock");
        using var notify = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        notify.Bind(new UnixDomainSocketEndPoint(notifyPath));
        notify.ReceiveTimeout = 60_000;
        var argv = ExecStart(new Dictionary<string, string> { ["RUNTIME_DIRECTORY"] = runtime });
        Assert.EndsWith("/erofs-accel", argv[0]);
        var psi = Cli.StartInfo(argv.Skip(1));
        foreach (var (name, value) in EnvironmentSettings()) psi.Environment[name] = value;
        psi.Environment["NOTIFY_SOCKET"] = notifyPath;
        psi.Environment["RUNTIME_DIRECTORY"] = runtime;
        psi.Environment["JOURNAL_STREAM"] = "";
        using var daemon = Process.Start(psi)!;
        var stderr = daemon.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        try
        {
            var ready = Receive(notify);
            Assert.Contains("READY=1", ready);
            Assert.Contains($"MAINPID={daemon.Id}", ready);
            using (var client = ControlClient.TryConnect(Path.Combine(runtime, "control.sock")))
            {
                Assert.NotNull(client);
                var attach = client!.Send(new ControlRequest { Op = ControlOperations.Attach, Image = TestCorpus.ImagePath("lz4") }, TimeSpan.FromSeconds(60));
                Assert.True(attach.Ok, attach.Error);
            }
            Assert.True(File.Exists(Path.Combine(runtime, "images", "lz4", "text", "doc001.txt")));
            Assert.Equal(0, Native.kill(daemon.Id, 15));
            Assert.Contains("STOPPING=1", Receive(notify));
            Assert.True(daemon.WaitForExit(60_000), "the daemon did not stop on SIGTERM");
            Assert.True(daemon.ExitCode == 0, stderr.Result);
            Assert.Empty(Native.MountsUnder(runtime));
            Assert.DoesNotContain(runtime, File.ReadAllText("/proc/mounts"));
        }
        finally
        {
            if (!daemon.HasExited) daemon.Kill();
            Native.RescueUnder(runtime);
            TestPaths.DeleteTree(runtime);
        }
    }

    [Fact]
    public void NotificationsReachAnAbstractSocketToo()
    {
        var name = $"erofs-accel-test-{Guid.NewGuid():N}";
        using var listener = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint("\0" + name));
        listener.ReceiveTimeout = 10_000;
        Assert.True(new SystemdNotifier("@" + name).Ready("testing"));
        Assert.StartsWith("READY=1\nSTATUS=testing", Receive(listener));
        Assert.False(new SystemdNotifier("").Enabled);
    }

    private static string Receive(Socket socket)
    {
        var buffer = new byte[4096];
        int n = socket.Receive(buffer);
        return Encoding.UTF8.GetString(buffer, 0, n);
    }
}
