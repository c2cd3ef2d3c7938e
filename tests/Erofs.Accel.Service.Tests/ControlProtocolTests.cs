using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Erofs.Accel.Service.Control;
using Erofs.Accel.Testing;

namespace Erofs.Accel.Service.Tests;

/// <summary>
/// The control socket against broken and hostile peers: every bad message gets a one-line refusal or a closed
/// connection, and the daemon goes on answering everyone else. No mounts: these run without root.
/// </summary>
public class ControlProtocolTests
{
    private static Socket RawConnect(TestDaemon daemon)
    {
        var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        s.Connect(new UnixDomainSocketEndPoint(daemon.SocketPath));
        s.ReceiveTimeout = 30_000;
        return s;
    }

    private static byte[] Frame(string json)
    {
        var body = Encoding.UTF8.GetBytes(json);
        var message = new byte[4 + body.Length];
        BinaryPrimitives.WriteUInt32BigEndian(message, (uint)body.Length);
        body.CopyTo(message, 4);
        return message;
    }

    /// <summary>Reads one answer; null when the daemon closed the connection instead.</summary>
    private static JsonElement? Receive(Socket s)
    {
        var header = new byte[4];
        if (!ReceiveExactly(s, header)) return null;
        var body = new byte[BinaryPrimitives.ReadUInt32BigEndian(header)];
        Assert.True(ReceiveExactly(s, body), "answer cut short");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private static bool ReceiveExactly(Socket s, byte[] buffer)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int n = s.Receive(buffer, total, buffer.Length - total, SocketFlags.None);
            if (n == 0) return false;
            total += n;
        }
        return true;
    }

    private static bool IsClosed(Socket s)
    {
        var one = new byte[1];
        try
        {
            return s.Receive(one) == 0;
        }
        catch (SocketException)
        {
            return true;
        }
    }

    private static void AssertStillServing(TestDaemon daemon)
    {
        var hello = daemon.Call(new ControlRequest { Op = ControlOperations.Hello });
        Assert.True(hello.Ok);
        Assert.Equal(Environment.ProcessId, hello.Daemon!.Pid);
    }

    [Fact]
    public void HelloAnswersWithTheDaemonAndItsProtocolVersion()
    {
        using var daemon = new TestDaemon(withNamespace: false);
        var hello = daemon.Call(new ControlRequest { Op = ControlOperations.Hello });
        Assert.True(hello.Ok, hello.Error);
        Assert.Equal(ControlProtocol.Version, hello.Daemon!.ProtocolVersion);
        Assert.Null(hello.Daemon.NamespaceRoot);
        Assert.Equal((UnixFileMode)0x180, File.GetUnixFileMode(daemon.SocketPath)); // 0600
    }

    [Fact]
    public void MalformedJsonIsRefusedAndTheConnectionStaysUsable()
    {
        using var daemon = new TestDaemon(withNamespace: false);
        using var s = RawConnect(daemon);
        foreach (var bad in new[] { "not json", "[1,2,3]", "{\"op\": 5}", "{\"version\":1,\"op\":\"list\"", "null" })
        {
            s.Send(Frame(bad));
            var answer = Receive(s)!.Value;
            Assert.False(answer.GetProperty("ok").GetBoolean());
            Assert.Equal("protocol", answer.GetProperty("errorKind").GetString());
            Assert.DoesNotContain('\n', answer.GetProperty("error").GetString()!);
        }
        s.Send(Frame("{\"version\":1,\"op\":\"list\"}"));
        Assert.True(Receive(s)!.Value.GetProperty("ok").GetBoolean());
    }

    [Fact]
    public void UnknownVersionsAndVerbsAreRefusedByName()
    {
        using var daemon = new TestDaemon(withNamespace: false);
        var v2 = daemon.Call(new ControlRequest { Version = 2, Op = ControlOperations.List });
        Assert.False(v2.Ok);
        Assert.Contains("protocol version 2 is not supported", v2.Error);
        var bogus = daemon.Call(new ControlRequest { Op = "format-disk" });
        Assert.False(bogus.Ok);
        Assert.Equal(ControlErrorKinds.Usage, bogus.ErrorKind);
        Assert.Contains("unknown operation 'format-disk'", bogus.Error);
    }

    [Fact]
    public void AnOversizedMessageIsRefusedBeforeItIsReadAndTheConnectionClosed()
    {
        using var daemon = new TestDaemon(withNamespace: false);
        using var s = RawConnect(daemon);
        var header = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(header, 0x7F000000); // 2 GiB announced, nothing sent
        s.Send(header);
        var answer = Receive(s)!.Value;
        Assert.Contains("exceeds the limit of 65536 bytes", answer.GetProperty("error").GetString());
        Assert.True(IsClosed(s));
        AssertStillServing(daemon);
    }

    [Fact]
    public void AClientThatDiesInsideAMessageAffectsNothingElse()
    {
        using var daemon = new TestDaemon(withNamespace: false);
        using var other = daemon.Connect();
        using (var s = RawConnect(daemon))
        {
            var frame = Frame("{\"version\":1,\"op\":\"list\"}");
            s.Send(frame.AsSpan(0, 10)); // header and part of the body, then the client is gone
        }
        using (var s = RawConnect(daemon))
        {
            s.Send(new byte[] { 0, 0 }); // half a header
        }
        Assert.True(other.Send(new ControlRequest { Op = ControlOperations.List }, TimeSpan.FromSeconds(30)).Ok);
        Assert.True(Native.WaitUntil(() => daemon.Log.Lines.Any(l => l.Contains("cut short")), TimeSpan.FromSeconds(10)),
            "the daemon did not log the cut-off message: " + string.Join(" | ", daemon.Log.Lines));
        AssertStillServing(daemon);
    }

    [Fact]
    public void ASlowOrSilentClientIsDisconnected()
    {
        var limits = new ControlServerLimits { FrameTimeout = TimeSpan.FromMilliseconds(300), IdleTimeout = TimeSpan.FromMilliseconds(500) };
        using var daemon = new TestDaemon(withNamespace: false, limits);
        using var slow = RawConnect(daemon);
        slow.Send(Frame("{\"version\":1,\"op\":\"list\"}").AsSpan(0, 6));
        Assert.True(IsClosed(slow), "a message that never completes must not hold a connection");
        using var silent = RawConnect(daemon);
        Assert.True(IsClosed(silent), "a silent connection must be closed after the idle timeout");
        AssertStillServing(daemon);
    }

    [Fact]
    public void ConnectionsBeyondTheLimitAreToldSo()
    {
        using var daemon = new TestDaemon(withNamespace: false, new ControlServerLimits { MaxConnections = 2 });
        using var first = RawConnect(daemon);
        using var second = RawConnect(daemon);
        // the two are accepted and waiting for requests; the third is refused with a reason
        Thread.Sleep(200);
        using var third = RawConnect(daemon);
        var answer = Receive(third)!.Value;
        Assert.Contains("too many connections", answer.GetProperty("error").GetString());
        first.Dispose();
        // until the daemon has seen the first one go, a new client is refused (closed, or told so): try again
        Assert.True(Native.WaitUntil(() =>
        {
            try
            {
                return daemon.Call(new ControlRequest { Op = ControlOperations.Hello }).Ok;
            }
            catch (IOException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public void TheDaemonsOwnMountsUseDevFuseByDefault()
    {
        Native.RequireFuseAndRoot();
        TestCorpus.RequireDirectory();
        using var daemon = new TestDaemon(withNamespace: false);
        // the daemon runs in this process: an io_uring transport would show as io_uring descriptors of its rings
        static int Rings() => Directory.GetFiles("/proc/self/fd").Count(fd =>
        {
            try { return new FileInfo(fd).LinkTarget == "anon_inode:[io_uring]"; }
            catch (IOException) { return false; } // closed meanwhile
        });
        int before = Rings();
        var mountPoint = TestPaths.NewTempDirectory("svc-mnt");
        try
        {
            var mounted = daemon.Call(new ControlRequest { Op = ControlOperations.Mount, Image = TestCorpus.ImagePath("lz4"), MountPoint = mountPoint });
            Assert.True(mounted.Ok, mounted.Error);
            Assert.NotEmpty(Directory.EnumerateFileSystemEntries(mountPoint));
            Assert.Equal(before, Rings());
            Assert.True(daemon.Call(new ControlRequest { Op = ControlOperations.Unmount, MountPoint = mountPoint }).Ok);
        }
        finally
        {
            Native.RescueUnder(mountPoint);
            TestPaths.DeleteTree(mountPoint);
        }
    }

    [Fact]
    public void ChangesNeedAnImageThatExistsAndAbsolutePaths()
    {
        using var daemon = new TestDaemon(withNamespace: false);
        var relative = daemon.Call(new ControlRequest { Op = ControlOperations.Mount, Image = "img.erofs", MountPoint = "/mnt" });
        Assert.Equal(ControlErrorKinds.Usage, relative.ErrorKind);
        Assert.Contains("absolute", relative.Error);
        var missing = daemon.Call(new ControlRequest { Op = ControlOperations.Mount, Image = "/nonexistent.erofs", MountPoint = "/mnt" });
        Assert.Equal(ControlErrorKinds.Failure, missing.ErrorKind);
        Assert.Contains("/nonexistent.erofs: no such file", missing.Error);
        var attach = daemon.Attach("/nonexistent.erofs");
        Assert.Contains("serves no shared namespace", attach.Error);
        var detach = daemon.Call(new ControlRequest { Op = ControlOperations.Detach, Name = "nothing" });
        Assert.Contains("no image of this daemon", detach.Error);
    }

    [Fact]
    public void ASecondDaemonOnTheSameFolderIsRefused()
    {
        using var daemon = new TestDaemon(withNamespace: false);
        var e = Assert.Throws<IOException>(() => Hosting.ServiceDaemon.Start(new Hosting.ServiceOptions { SocketPath = daemon.SocketPath }));
        Assert.Contains("another erofs-accel daemon is running", e.Message);
        AssertStillServing(daemon);
    }
}
