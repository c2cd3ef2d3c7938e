using System.Diagnostics;
using System.Runtime.InteropServices;
using Erofs.Accel.Testing;

namespace Erofs.Accel.Mount.Tests;

/// <summary>The <c>erofs-accel mount</c> command as a user runs it: background start, outside umount, SIGTERM.</summary>
[Collection(MountCollection.Name)]
public partial class CliLifetimeTests
{
    private static readonly string CliDll = Path.Combine(AppContext.BaseDirectory, "erofs-accel.dll");

    private static Process StartCli(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(CliDll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        return Process.Start(psi)!;
    }

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

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int signal);

    [Fact]
    public void BackgroundMountReturnsWhenReadyAndUmountEndsTheServer()
    {
        MountedImage.RequireFuseAndRoot();
        var mp = TestPaths.NewTempDirectory("cli-mnt");
        try
        {
            using var cli = StartCli("mount", TestCorpus.ImagePath("zstd"), mp);
            Assert.True(cli.WaitForExit(60_000), "background mount did not return");
            var output = cli.StandardOutput.ReadToEnd();
            Assert.True(cli.ExitCode == 0, cli.StandardError.ReadToEnd());
            Assert.True(MountedImage.IsMounted(mp), "not mounted after the command returned");
            int pid = int.Parse(System.Text.RegularExpressions.Regex.Match(output, @"server pid (\d+)").Groups[1].Value);
            Assert.True(File.Exists(Path.Combine(mp, "text", "doc000.txt")));
            // the server compiles hot code fully from the start, unless the user set the knob (see BackgroundMount)
            if (Environment.GetEnvironmentVariable("DOTNET_TC_CallCountingDelayMs") is null)
                Assert.Contains("DOTNET_TC_CallCountingDelayMs=0", File.ReadAllText($"/proc/{pid}/environ").Split('\0'));
            using (var umount = Process.Start("umount", mp)!) Assert.True(umount.WaitForExit(30_000) && umount.ExitCode == 0, "umount failed");
            Assert.True(WaitUntil(() => !IsAlive(pid), TimeSpan.FromSeconds(30)), "server still running after umount");
            Assert.False(MountedImage.IsMounted(mp));
        }
        finally
        {
            MountedImage.Rescue(mp);
            TestPaths.DeleteTree(mp);
        }
    }

    private static bool IsAlive(int pid) => Directory.Exists($"/proc/{pid}") && !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ");

    [Fact]
    public void SigtermDuringReadsUnmountsAndExitsZero()
    {
        MountedImage.RequireFuseAndRoot();
        var mp = TestPaths.NewTempDirectory("cli-term");
        try
        {
            using var cli = StartCli("mount", "--foreground", TestCorpus.ImagePath("lzma"), mp);
            Assert.True(WaitUntil(() => MountedImage.IsMounted(mp), TimeSpan.FromSeconds(60)), "foreground mount never appeared");
            using var stop = new CancellationTokenSource();
            var reader = Task.Run(() =>
            {
                long n = 0;
                while (!stop.IsCancellationRequested)
                {
                    try
                    {
                        foreach (var f in Directory.EnumerateFiles(Path.Combine(mp, "large"))) n += File.ReadAllBytes(f).Length;
                    }
                    catch (Exception) { break; } // the mount goes away under us: expected
                }
                return n;
            }, TestContext.Current.CancellationToken);
            Thread.Sleep(500);
            Assert.Equal(0, kill(cli.Id, 15));
            Assert.True(cli.WaitForExit(60_000), "server did not stop on SIGTERM");
            stop.Cancel();
            reader.Wait(30_000, TestContext.Current.CancellationToken);
            Assert.True(cli.ExitCode == 0, cli.StandardError.ReadToEnd());
            Assert.False(MountedImage.IsMounted(mp), "mount left behind after SIGTERM");
        }
        finally
        {
            MountedImage.Rescue(mp);
            TestPaths.DeleteTree(mp);
        }
    }

    [Fact]
    public void BadMountPointIsOneLineAndNothingIsMounted()
    {
        MountedImage.RequireFuseAndRoot();
        using var cli = StartCli("mount", TestCorpus.ImagePath("lz4"), "/nonexistent-mount-point");
        Assert.True(cli.WaitForExit(60_000));
        var err = cli.StandardError.ReadToEnd();
        Assert.NotEqual(0, cli.ExitCode);
        Assert.Contains("does not exist", err);
        Assert.Single(err.Trim().Split('\n'));
    }
}
