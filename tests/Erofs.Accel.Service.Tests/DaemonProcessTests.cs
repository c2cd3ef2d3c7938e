using System.Diagnostics;
using System.Text.Json;
using Erofs.Accel.Service.Control;
using Erofs.Accel.Testing;

namespace Erofs.Accel.Service.Tests;

/// <summary>
/// <c>erofs-accel serve</c> as a process, driven by the client verbs as a user runs them: attach, detach, list, stats,
/// mount through the socket, umount, SIGTERM (nothing left mounted) and SIGKILL (the next start cleans up).
/// </summary>
[Collection(ServiceCollection.Name)]
public class DaemonProcessTests
{
    /// <summary>A serve process in a temporary folder.</summary>
    internal sealed class ServeProcess : IDisposable
    {
        private readonly System.Text.StringBuilder _stderr = new();

        public string Folder { get; }
        public string Socket => Path.Combine(Folder, "control.sock");
        public string Root => Path.Combine(Folder, "images");
        public Process Process { get; private set; } = null!;

        public ServeProcess(string? folder = null)
        {
            Native.RequireFuseAndRoot();
            Folder = folder ?? TestPaths.NewTempDirectory("serve");
            Start();
        }

        public string Stderr
        {
            get
            {
                lock (_stderr) return _stderr.ToString();
            }
        }

        public void Start()
        {
            Process = Process.Start(Cli.StartInfo(new[] { "serve", "--socket", Socket, "--root", Root, "--accel", "software" }))!;
            Process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is not null) lock (_stderr) _stderr.AppendLine(e.Data);
            };
            Process.BeginErrorReadLine();
            Assert.True(Native.WaitUntil(() => ControlClient.TryConnect(Socket) is { } c && Dispose(c), TimeSpan.FromSeconds(60)) || Process.HasExited,
                "the daemon did not open its socket: " + Stderr);
            Assert.False(Process.HasExited, "the daemon stopped: " + Stderr);
        }

        private static bool Dispose(ControlClient c)
        {
            c.Dispose();
            return true;
        }

        public (int Exit, string Out, string Err) Run(params string[] args) => Cli.Run(args.Append("--socket").Append(Socket).ToArray());

        public int Terminate(int signal = 15)
        {
            Assert.Equal(0, Native.kill(Process.Id, signal));
            Assert.True(Process.WaitForExit(60_000), "the daemon did not stop: " + Stderr);
            return Process.ExitCode;
        }

        public void Dispose()
        {
            if (!Process.HasExited)
            {
                Native.kill(Process.Id, 9);
                Process.WaitForExit(30_000);
            }
            Process.Dispose();
            Native.RescueUnder(Folder);
            TestPaths.DeleteTree(Folder);
        }
    }

    [Fact]
    public void ClientVerbsAttachListStatsDetach()
    {
        var sharing = TestCorpus.RequireSharingDirectory();
        using var serve = new ServeProcess();
        var attach = serve.Run("attach", Path.Combine(sharing, "fingerprint-a.erofs"), "--name", "a");
        Assert.True(attach.Exit == 0, attach.Err);
        Assert.Contains($"at {serve.Root}/a", attach.Out);
        Assert.Equal(0, serve.Run("attach", Path.Combine(sharing, "fingerprint-b.erofs")).Exit);
        var bytes = File.ReadAllBytes(Path.Combine(serve.Root, "fingerprint-b", "large", "large-text.log"));
        Assert.Equal(262144, bytes.Length);
        Assert.Equal(262144, new FileInfo(Path.Combine(serve.Root, "a", "large", "large-text.log")).Length); // one shared node

        var list = serve.Run("list");
        Assert.Equal(0, list.Exit);
        Assert.Matches(@"(?m)^a\s+namespace\s+" + serve.Root + "/a ", list.Out);
        Assert.Matches(@"(?m)^fingerprint-b\s+namespace\s+.*\s256\.0 KiB$", list.Out);
        var json = JsonDocument.Parse(serve.Run("list", "--json").Out).RootElement;
        Assert.Equal(2, json.GetArrayLength());
        Assert.Equal(262144, json[1].GetProperty("bytesServed").GetInt64());

        var stats = serve.Run("stats");
        Assert.Equal(0, stats.Exit);
        Assert.Contains("software", stats.Out);
        Assert.Contains("held by several images", stats.Out);
        var statsJson = JsonDocument.Parse(serve.Run("stats", "--json").Out).RootElement;
        Assert.Equal(262144, statsJson.GetProperty("images")[1].GetProperty("bytesServed").GetInt64());
        Assert.True(statsJson.GetProperty("sharing").GetProperty("nodesAcrossImages").GetInt64() > 0);
        var prometheus = serve.Run("stats", "--prometheus").Out;
        Assert.Contains("erofs_accel_image_bytes_served_total{image=\"fingerprint-b\"} 262144", prometheus);
        Assert.Contains("# TYPE erofs_accel_backend_requests_total counter", prometheus);

        var detach = serve.Run("detach", "a");
        Assert.True(detach.Exit == 0, detach.Err);
        Assert.False(Directory.Exists(Path.Combine(serve.Root, "a")));
        var again = serve.Run("detach", "a");
        Assert.Equal(1, again.Exit);
        Assert.Contains("no image of this daemon has that name", again.Err);
        Assert.Single(again.Err.Trim().Split('\n'));
        var badName = serve.Run("attach", Path.Combine(sharing, "fingerprint-a.erofs"), "--name", "x y");
        Assert.Equal(2, badName.Exit);
        Assert.Equal(0, serve.Terminate());
    }

    [Fact]
    public void MountThroughTheSocketThenUmountAndSigtermLeaveNothingMounted()
    {
        TestCorpus.RequireDirectory();
        using var serve = new ServeProcess();
        var mountPoints = new List<string>();
        using (var client = ControlClient.TryConnect(serve.Socket)!)
        {
            foreach (var name in new[] { "zstd", "lzma", "tar-index" })
            {
                var mp = Path.Combine(serve.Folder, "mnt-" + name);
                Directory.CreateDirectory(mp);
                var response = client.Send(new ControlRequest
                {
                    Op = ControlOperations.Mount,
                    Image = TestCorpus.ImagePath(name),
                    MountPoint = mp,
                    Devices = TestCorpus.ExtraDevices(name).ToList(),
                }, TimeSpan.FromSeconds(60));
                Assert.True(response.Ok, response.Error);
                mountPoints.Add(mp);
            }
        }
        Assert.Equal(CorpusManifests.Expected("tar-index"), CorpusManifests.ManifestOf(mountPoints[2]));

        // erofs-accel mount goes through the daemon when one runs
        var viaCli = Path.Combine(serve.Folder, "mnt-cli");
        Directory.CreateDirectory(viaCli);
        var mount = serve.Run("mount", TestCorpus.ImagePath("lz4hc-fragments"), viaCli);
        Assert.True(mount.Exit == 0, mount.Err);
        Assert.Contains($"(daemon pid {serve.Process.Id})", mount.Out);
        Assert.Contains(" " + viaCli + " ", serve.Run("list").Out);
        Assert.True(File.Exists(Path.Combine(viaCli, "text", "doc001.txt")));
        Assert.Equal(0, serve.Run("umount", viaCli).Exit);
        Assert.DoesNotContain(viaCli, Native.MountsUnder(serve.Folder));
        Assert.Equal(0, serve.Run("attach", TestCorpus.ImagePath("lz4")).Exit);
        Assert.Equal(File.ReadAllBytes(Path.Combine(mountPoints[0], "text", "doc001.txt")), File.ReadAllBytes(Path.Combine(serve.Root, "lz4", "text", "doc001.txt")));

        // umount through the daemon: busy first, then done
        using (File.OpenRead(Path.Combine(mountPoints[1], "text", "doc001.txt")))
        {
            var busy = serve.Run("umount", mountPoints[1]);
            Assert.Equal(1, busy.Exit);
            Assert.Contains("is busy", busy.Err);
        }
        var umount = serve.Run("umount", mountPoints[1]);
        Assert.True(umount.Exit == 0, umount.Err);
        Assert.DoesNotContain(mountPoints[1], Native.MountsUnder(serve.Folder));
        Assert.DoesNotContain(serve.Run("list").Out, "mnt-lzma");

        // an outside umount is noticed
        using (var umount8 = Process.Start("umount", mountPoints[0])) umount8.WaitForExit();
        Assert.True(Native.WaitUntil(() => !serve.Run("list").Out.Contains("mnt-zstd"), TimeSpan.FromSeconds(30)));

        // SIGTERM with a busy mount: everything is unmounted anyway
        using var open = File.OpenRead(Path.Combine(serve.Root, "lz4", "text", "doc001.txt"));
        Assert.Equal(0, serve.Terminate());
        Assert.Empty(Native.MountsUnder(serve.Folder));
        Assert.False(File.Exists(serve.Socket));
        Assert.Contains("stop requested", serve.Stderr);
    }

    [Fact]
    public void AfterSigkillNoDeadMountIsLeftOnceTheNextDaemonStarts()
    {
        TestCorpus.RequireDirectory();
        using var serve = new ServeProcess();
        var mp = Path.Combine(serve.Folder, "mnt");
        Directory.CreateDirectory(mp);
        using (var client = ControlClient.TryConnect(serve.Socket)!)
            Assert.True(client.Send(new ControlRequest { Op = ControlOperations.Mount, Image = TestCorpus.ImagePath("lz4"), MountPoint = mp }, TimeSpan.FromSeconds(60)).Ok);
        Assert.Equal(0, serve.Run("attach", TestCorpus.ImagePath("zstd")).Exit);
        serve.Terminate(9);

        // Where the mounts went through fusermount3 (auto_unmount) it detaches them once the server is gone; the next
        // daemon on the same folder detaches whatever is still there, says so, and serves.
        serve.Start();
        Assert.Equal(new[] { serve.Root }, Native.MountsUnder(serve.Folder));
        Assert.True(Directory.Exists(mp) && Directory.EnumerateFileSystemEntries(mp).Count() == 0, $"{mp} is not an empty directory again");
        Assert.Equal(0, serve.Run("attach", TestCorpus.ImagePath("zstd")).Exit);
        Assert.True(File.Exists(Path.Combine(serve.Root, "zstd", "text", "doc001.txt")));
        Assert.Equal(0, serve.Terminate());
        Assert.Empty(Native.MountsUnder(serve.Folder));
    }

    [Fact]
    public void TenGeneratedImagesThroughOneDaemon()
    {
        Native.RequireFuseAndRoot();
        if (!File.Exists("/usr/bin/mkfs.erofs")) Assert.Skip("mkfs.erofs (erofs-utils) is needed to generate images");
        using var serve = new ServeProcess();
        var source = Path.Combine(serve.Folder, "tree");
        var images = new List<string>();
        for (int i = 0; i < 10; i++)
        {
            var tree = Path.Combine(source, $"t{i}");
            Directory.CreateDirectory(Path.Combine(tree, "etc"));
            File.WriteAllText(Path.Combine(tree, "etc", "common.conf"), string.Concat(Enumerable.Repeat("shared configuration line\n", 2000)));
            File.WriteAllText(Path.Combine(tree, "etc", "variant"), $"variant {i}\n");
            var image = Path.Combine(serve.Folder, $"img{i}.erofs");
            using var mkfs = Process.Start(new ProcessStartInfo("/usr/bin/mkfs.erofs", new[] { "-zlz4hc", image, tree }) { RedirectStandardOutput = true, RedirectStandardError = true })!;
            mkfs.StandardOutput.ReadToEnd();
            Assert.True(mkfs.WaitForExit(60_000) && mkfs.ExitCode == 0, mkfs.StandardError.ReadToEnd());
            images.Add(image);
        }
        using (var client = ControlClient.TryConnect(serve.Socket)!)
        {
            for (int i = 0; i < 10; i++)
            {
                Assert.True(client.Send(new ControlRequest { Op = ControlOperations.Attach, Image = images[i] }, TimeSpan.FromSeconds(60)).Ok);
                var mp = Path.Combine(serve.Folder, $"mnt{i}");
                Directory.CreateDirectory(mp);
                Assert.True(client.Send(new ControlRequest { Op = ControlOperations.Mount, Image = images[i], MountPoint = mp }, TimeSpan.FromSeconds(60)).Ok);
            }
        }
        for (int i = 0; i < 10; i++)
        {
            Assert.Equal($"variant {i}\n", File.ReadAllText(Path.Combine(serve.Root, $"img{i}", "etc", "variant")));
            Assert.Equal($"variant {i}\n", File.ReadAllText(Path.Combine(serve.Folder, $"mnt{i}", "etc", "variant")));
        }
        Assert.Equal(11, Native.MountsUnder(serve.Folder).Count); // the namespace and ten mounts
        Assert.Equal(20, JsonDocument.Parse(serve.Run("list", "--json").Out).RootElement.GetArrayLength());
        Assert.Equal(0, serve.Terminate());
        Assert.Empty(Native.MountsUnder(serve.Folder));
    }
}
