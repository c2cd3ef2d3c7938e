using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using Erofs.Accel.Testing;

namespace Erofs.Accel.Mount.Tests;

/// <summary>
/// <c>erofs-accel mount</c> as an administrator uses it, as root: -o options, device checks before "mounted", block
/// devices and offsets, SIGKILL, pipes, dead mounts, a user other than root, and the log's rate limit.
/// </summary>
[Collection(MountCollection.Name)]
public sealed partial class AdminMountTests
{
    private static readonly string CliDll = Path.Combine(AppContext.BaseDirectory, "erofs-accel.dll");

    internal sealed record Result(int Exit, string Out, string Err);

    /// <summary>Runs a program to completion (killed after <paramref name="timeout"/>, which fails the test).</summary>
    internal static Result Run(string program, IEnumerable<string> args, TimeSpan? timeout = null, IDictionary<string, string>? env = null)
    {
        var psi = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        if (env is not null) foreach (var (k, v) in env) psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        p.StandardInput.Close();
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout ?? TimeSpan.FromSeconds(120)))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail($"{program} {string.Join(' ', args)} did not finish in time");
        }
        p.WaitForExit();
        return new Result(p.ExitCode, output.Result, error.Result);
    }

    internal static Result Cli(params string[] args) => Run("dotnet", [CliDll, .. args]);

    private static int ServerPid(Result mounted) => int.Parse(Regex.Match(mounted.Out, @"server pid (\d+)").Groups[1].Value);

    private static bool WaitUntil(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) return false;
            Thread.Sleep(50);
        }
        return true;
    }

    private static bool IsAlive(int pid) => Directory.Exists($"/proc/{pid}") && !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ");

    private static string[] MountInfo(string mountPoint)
    {
        var target = Path.GetFullPath(mountPoint).TrimEnd('/');
        var line = File.ReadLines("/proc/self/mountinfo").Select(l => l.Split(' ')).LastOrDefault(f => f.Length > 4 && f[4] == target);
        Assert.NotNull(line);
        return line;
    }

    /// <summary>Unmounts (the server then exits) and removes the temporary folder.</summary>
    private static void Cleanup(string mountPoint, string? folder = null)
    {
        if (MountedImage.IsMounted(mountPoint)) Run("umount", [mountPoint]);
        MountedImage.Rescue(mountPoint);
        TestPaths.DeleteTree(folder ?? mountPoint);
    }

    [Fact]
    public void DashOOptionsReachTheMountTableAndTheTreeIsExact()
    {
        MountedImage.RequireFuseAndRoot();
        var dir = TestPaths.NewTempDirectory("admin-opts");
        var mp = Directory.CreateDirectory(Path.Combine(dir, "mnt")).FullName;
        var log = Path.Combine(dir, "server.log");
        try
        {
            var r = Cli("mount", TestCorpus.ImagePath("chunk-blob"), mp, "-o",
                $"ro,allow_other,default_permissions,device={TestCorpus.ExtraDevices("chunk-blob")[0]},fsname=admin-test,max_workers=4,cache_mb=16,noexec,log={log}");
            Assert.True(r.Exit == 0, r.Err);
            Assert.Contains($"mounted {TestCorpus.ImagePath("chunk-blob")} on {mp}", r.Out);
            Assert.Contains($"log: {log}", r.Out);
            var info = MountInfo(mp);
            var separator = Array.IndexOf(info, "-");
            Assert.Equal("fuse.erofs-accel", info[separator + 1]);
            Assert.Equal("admin-test", info[separator + 2]);
            Assert.Contains("allow_other", info[separator + 3]);
            Assert.Contains("default_permissions", info[separator + 3]);
            Assert.Contains("noexec", info[5]);
            Assert.StartsWith("ro,", info[5]);
            Assert.Equal(CorpusManifests.Expected("chunk-blob"), CorpusManifests.ManifestOf(mp));
            int pid = ServerPid(r);
            Assert.Equal(0, Run("umount", [mp]).Exit);
            Assert.True(WaitUntil(() => !IsAlive(pid), TimeSpan.FromSeconds(30)), "the server still runs after umount");
        }
        finally
        {
            Cleanup(mp, dir);
        }
    }

    [Fact]
    public void WithoutAllowOtherOnlyTheMountingUserGetsIn()
    {
        MountedImage.RequireFuseAndRoot();
        var mp = TestPaths.NewTempDirectory("admin-private");
        try
        {
            var r = Cli("mount", TestCorpus.ImagePath("lz4"), mp);
            Assert.True(r.Exit == 0, r.Err);
            Assert.DoesNotContain("allow_other", MountInfo(mp)[^1]);
            var other = Run("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "ls", mp]);
            Assert.NotEqual(0, other.Exit);
            Assert.Contains("Permission denied", other.Err);
        }
        finally
        {
            Cleanup(mp);
        }
    }

    [Theory]
    [InlineData("chunk-blob")]
    [InlineData("tar-index")]
    public void AMultiDeviceImageWithoutItsDeviceIsRefusedBeforeMounted(string name)
    {
        MountedImage.RequireFuseAndRoot();
        var mp = TestPaths.NewTempDirectory("admin-nodev");
        try
        {
            var r = Cli("mount", TestCorpus.ImagePath(name), mp);
            Assert.Equal(1, r.Exit);
            Assert.DoesNotContain("mounted", r.Out);
            Assert.Contains("device 1 (device-table slot 0:", r.Err);
            Assert.Contains("is missing; pass each with --device FILE (mount: -o device=FILE)", r.Err);
            Assert.Single(r.Err.Trim().Split('\n'));
            Assert.False(MountedImage.IsMounted(mp));

            var wrong = Cli("mount", TestCorpus.ImagePath(name), mp, "-o", $"device={TestCorpus.ImagePath("lz4")}");
            Assert.Equal(1, wrong.Exit);
            Assert.Contains("wrong file, wrong order or truncated", wrong.Err);
            Assert.False(MountedImage.IsMounted(mp));
        }
        finally
        {
            Cleanup(mp);
        }
    }

    [Fact]
    public void ALoopDeviceAndAnImageAtAnOffsetMountByteExactly()
    {
        MountedImage.RequireFuseAndRoot();
        var dir = TestPaths.NewTempDirectory("admin-blk");
        var mp = Directory.CreateDirectory(Path.Combine(dir, "mnt")).FullName;
        string? loop = null;
        try
        {
            // a copy: some filesystems (the corpus may sit on one) cannot back a loop device
            var copy = Path.Combine(dir, "lz4hc-C64k.erofs");
            File.Copy(TestCorpus.ImagePath("lz4hc-C64k"), copy);
            var losetup = Run("/sbin/losetup", ["--find", "--show", "--read-only", copy]);
            if (losetup.Exit != 0) Assert.Skip($"no loop device: {losetup.Err.Trim()}");
            loop = losetup.Out.Trim();
            var r = Cli("mount", loop, mp);
            Assert.True(r.Exit == 0, r.Err);
            Assert.Equal(CorpusManifests.Expected("lz4hc-C64k"), CorpusManifests.ManifestOf(mp));
            Assert.Equal(0, Run("umount", [mp]).Exit);
            Assert.True(WaitUntil(() => !MountedImage.IsMounted(mp), TimeSpan.FromSeconds(10)));

            // the image 3 MiB + 512 bytes into a larger file
            const long offset = 3L * 1024 * 1024 + 512;
            var disk = Path.Combine(dir, "disk.img");
            using (var f = File.Create(disk))
            {
                f.Write(new byte[offset]);
                using var image = File.OpenRead(TestCorpus.ImagePath("zstd"));
                image.CopyTo(f);
                f.Write(new byte[65536]);
            }
            r = Cli("mount", disk, mp, "-o", $"offset={offset}");
            Assert.True(r.Exit == 0, r.Err);
            Assert.Equal(CorpusManifests.Expected("zstd"), CorpusManifests.ManifestOf(mp));
        }
        finally
        {
            Cleanup(mp, dir);
            if (loop is not null) Run("/sbin/losetup", ["-d", loop]);
        }
    }

    [Fact]
    public void AfterKillNineTheMountIsGoneWithoutAnyUmount()
    {
        // issue 18 point 9: a root mount had no auto_unmount, so SIGKILL left a dead mount point
        MountedImage.RequireFuseAndRoot();
        var mp = TestPaths.NewTempDirectory("admin-kill");
        try
        {
            var r = Cli("mount", TestCorpus.ImagePath("lzma"), mp);
            Assert.True(r.Exit == 0, r.Err);
            // fill the kernel's caches: the mount must go even though its root and files were looked at
            Assert.NotEmpty(Directory.GetFileSystemEntries(mp));
            foreach (var f in Directory.EnumerateFiles(Path.Combine(mp, "text")).Take(20)) File.ReadAllBytes(f);
            int pid = ServerPid(r);
            Assert.Equal(0, kill(pid, 9));
            Assert.True(WaitUntil(() => !MountedImage.IsMounted(mp), TimeSpan.FromSeconds(15)), "a dead mount stayed after SIGKILL");
            Assert.True(Directory.Exists(mp));
        }
        finally
        {
            Cleanup(mp);
        }
    }

    [Fact]
    public void AFifoGivenAsTheImageFailsAtOnce()
    {
        // issue 18 point 9: opening a FIFO with no writer blocked forever
        MountedImage.RequireFuseAndRoot();
        var dir = TestPaths.NewTempDirectory("admin-fifo");
        var mp = Directory.CreateDirectory(Path.Combine(dir, "mnt")).FullName;
        try
        {
            var fifo = Path.Combine(dir, "image.erofs");
            Assert.Equal(0, Run("mkfifo", [fifo]).Exit);
            var r = Run("dotnet", [CliDll, "mount", fifo, mp], TimeSpan.FromSeconds(60));
            Assert.Equal(1, r.Exit);
            Assert.Contains($"{fifo}: is a pipe (FIFO), which cannot be read at random offsets", r.Err);
            Assert.Single(r.Err.Trim().Split('\n'));
            Assert.False(MountedImage.IsMounted(mp));
        }
        finally
        {
            Cleanup(mp, dir);
        }
    }

    [Fact]
    public void ADeadMountOfAnotherFilesystemIsReportedWithTheFix()
    {
        MountedImage.RequireFuseAndRoot();
        var mp = TestPaths.NewTempDirectory("admin-stale");
        try
        {
            int fd = open("/dev/fuse", 2 | 0x80000);
            Assert.True(fd >= 0);
            Assert.Equal(0, mount("dead-sshfs", mp, "fuse.sshfs", 1 | 2 | 4, $"fd={fd},rootmode=40000,user_id=0,group_id=0"));
            close(fd); // no server: the connection is aborted, the mount point answers ENOTCONN
            var r = Cli("mount", TestCorpus.ImagePath("lz4"), mp);
            Assert.Equal(1, r.Exit);
            Assert.Contains($"mount point {mp} holds a dead FUSE mount (fuse.sshfs of dead-sshfs) whose server is gone: clear it with 'umount -l {mp}'", r.Err);
            Assert.Equal(0, Run("umount", ["-l", mp]).Exit);
            r = Cli("mount", TestCorpus.ImagePath("lz4"), mp);
            Assert.True(r.Exit == 0, r.Err);
        }
        finally
        {
            Cleanup(mp);
        }
    }

    [Fact]
    public void ReadErrorsOfOneFileByAnotherUserAreRateLimitedInTheLog()
    {
        // issue 18 point 8: 10 s of reads of one corrupt file by an unprivileged user wrote 4,294 lines
        MountedImage.RequireFuseAndRoot();
        if (!File.Exists("/usr/bin/mkfs.erofs")) Assert.Skip("mkfs.erofs is not installed (package erofs-utils)");
        var dir = TestPaths.NewTempDirectory("admin-flood");
        var mp = Directory.CreateDirectory(Path.Combine(dir, "mnt")).FullName;
        var log = Path.Combine(dir, "server.log");
        try
        {
            var source = Directory.CreateDirectory(Path.Combine(dir, "src")).FullName;
            var data = new byte[1 << 20];
            new Random(7).NextBytes(data);
            File.WriteAllBytes(Path.Combine(source, "big.bin"), data);
            File.WriteAllText(Path.Combine(source, "small.txt"), "hello\n");
            var image = Path.Combine(dir, "truncated.erofs");
            Assert.Equal(0, Run("/usr/bin/mkfs.erofs", [image, source]).Exit);
            // the data of big.bin runs past the end: every read of its tail fails with EIO
            using (var f = new FileStream(image, FileMode.Open)) f.SetLength(f.Length - 65536);
            Directory.CreateDirectory(mp);
            var r = Cli("mount", image, mp, "-o", $"allow_other,log={log}");
            Assert.True(r.Exit == 0, r.Err);
            int pid = ServerPid(r);
            var reads = Run("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "sh", "-c",
                $"n=0; while [ $n -lt 300 ]; do cat '{mp}/big.bin' >/dev/null 2>&1; n=$((n+1)); done; cat '{mp}/small.txt'"], TimeSpan.FromSeconds(180));
            Assert.True(reads.Exit == 0, reads.Err);
            Assert.Equal("hello\n", reads.Out);
            Assert.Equal(0, Run("umount", [mp]).Exit);
            Assert.True(WaitUntil(() => !IsAlive(pid), TimeSpan.FromSeconds(30)), "the server still runs after umount");
            var lines = File.ReadAllLines(log);
            var failures = lines.Where(l => l.Contains("failed:")).ToList();
            Assert.NotEmpty(failures);
            Assert.True(failures.Count <= 3 * 5, $"{failures.Count} lines for one file:\n{string.Join('\n', lines.Take(30))}");
            Assert.Contains(lines, l => Regex.IsMatch(l, @"\d+ similar message\(s\) suppressed"));
        }
        finally
        {
            Cleanup(mp, dir);
        }
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int signal);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int open(string path, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int close(int fd);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int mount(string source, string target, string type, ulong flags, string data);
}
