using System.Diagnostics;
using Erofs.Accel.Service.Control;

namespace Erofs.Accel.Service.Tests;

/// <summary>
/// Who may use the control socket: checked by the socket file's mode and, per request, by the peer's credentials
/// (SO_PEERCRED). The other peer is a Python client run as nobody (setpriv), so the kernel reports a real uid.
/// </summary>
public class PeerCredentialTests
{
    private const string Client = """
        import json, socket, struct, sys
        s = socket.socket(socket.AF_UNIX)
        try:
            s.connect(sys.argv[1])
        except OSError as e:
            print("connect:", e.strerror); sys.exit(3)
        body = json.dumps({"version": 1, "op": sys.argv[2], "image": "/nonexistent.erofs"}).encode()
        s.sendall(struct.pack(">I", len(body)) + body)
        n = struct.unpack(">I", s.recv(4, socket.MSG_WAITALL))[0]
        answer = json.loads(s.recv(n, socket.MSG_WAITALL))
        print("ok" if answer["ok"] else answer["errorKind"] + ": " + answer["error"])
        """;

    private static (int Exit, string Out) RunAsNobody(string socket, string op)
    {
        if (!Native.IsRoot) Assert.Skip("running a client as another user needs root");
        if (!File.Exists("/usr/bin/setpriv") || !File.Exists("/usr/bin/python3")) Assert.Skip("setpriv (util-linux) and python3 are needed");
        var psi = new ProcessStartInfo("/usr/bin/setpriv") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = "/" };
        foreach (var a in new[] { "--reuid=65534", "--regid=65534", "--clear-groups", "/usr/bin/python3", "-c", Client, socket, op })
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEndAsync();
        Assert.True(p.WaitForExit(60_000), "the client did not finish");
        return (p.ExitCode, output.Result + error.Result);
    }

    [Fact]
    public void TheDefaultSocketIsForRootOnly()
    {
        using var daemon = new TestDaemon(withNamespace: false);
        var (exit, output) = RunAsNobody(daemon.SocketPath, "list");
        Assert.Equal(3, exit);
        Assert.Contains("Permission denied", output);
        Assert.True(daemon.Call(new ControlRequest { Op = ControlOperations.List }).Ok);
    }

    [Fact]
    public void APeerTheCredentialsDoNotAllowIsRefusedEvenWhenTheSocketIsOpen()
    {
        using var daemon = new TestDaemon(withNamespace: false);
        // a socket opened to everyone by mistake: the per-request check still refuses
        File.SetUnixFileMode(daemon.SocketPath, (UnixFileMode)0x1B6);
        var (exit, output) = RunAsNobody(daemon.SocketPath, "list");
        Assert.Equal(0, exit);
        Assert.StartsWith("denied: permission denied", output);
        Assert.Contains("uid 65534 may not use this daemon", output);
        Assert.Contains(daemon.Log.Lines, l => l.Contains("refused list from pid") && l.Contains("uid 65534"));
        Assert.True(daemon.Call(new ControlRequest { Op = ControlOperations.List }).Ok);
    }

    [Fact]
    public void MembersOfTheSocketGroupMayLookButNotChange()
    {
        using var daemon = new TestDaemon(withNamespace: false, socketGroup: 65534);
        Assert.Equal((UnixFileMode)0x1B0, File.GetUnixFileMode(daemon.SocketPath)); // 0660
        var (listExit, list) = RunAsNobody(daemon.SocketPath, "list");
        Assert.Equal(0, listExit);
        Assert.Equal("ok", list.Trim());
        var (attachExit, attach) = RunAsNobody(daemon.SocketPath, "attach");
        Assert.Equal(0, attachExit);
        Assert.Contains("'attach' needs root", attach);
    }
}
