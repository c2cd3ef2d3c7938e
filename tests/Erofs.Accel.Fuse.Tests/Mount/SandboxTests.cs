using Erofs.Accel.Fuse.Sandbox;
using Erofs.Accel.Fuse.TestHost;
using Erofs.Accel.Fuse.Tests.TestSupport;
using Erofs.Accel.Fuse.Tests.TestSupport.Interop;

namespace Erofs.Accel.Fuse.Tests.Mount;

/// <summary>
/// A sandboxed server (its own process): once mounted it holds no capabilities on any thread, has no_new_privs and a
/// seccomp filter, refuses what it must not do, still serves, and still unmounts on SIGTERM.
/// </summary>
[Collection(FuseMountCollection.Name)]
public sealed class SandboxTests
{
    [Fact]
    public void SandboxedServerHoldsNothingRefusesTheRestAndStillServesAndStops()
    {
        MountGuard.RequireFuse();
        if (Environment.UserName != "root") Assert.Skip("the identity drop is tested from root");
        using var guard = new MountGuard(TimeSpan.FromSeconds(120));
        using var host = new TestHostProcess(guard.MountPoint, "--files", "20", "--sandbox");
        host.WaitUntilReady(TimeSpan.FromSeconds(60));
        Assert.True(SpinWait.SpinUntil(() => host.OutputLines.Any(l => l.StartsWith("PROBE read-own-status", StringComparison.Ordinal)), 30_000),
            "no probe results: " + host.StandardError);
        var probes = host.OutputLines.Where(l => l.StartsWith("PROBE ", StringComparison.Ordinal))
            .Select(l => l.Split(' ', 3)).ToDictionary(f => f[1], f => f[2]);
        foreach (var refused in new[] { "mount", "umount2", "setresuid", "setgroups", "execve", "mkdir" })
            Assert.True(probes[refused] == "EPERM", $"{refused}: {probes[refused]}");
        Assert.Equal("ok", probes["thread"]);
        Assert.Equal("ok", probes["read-own-status"]);

        foreach (var task in Directory.GetDirectories($"/proc/{host.Process.Id}/task"))
        {
            var status = File.ReadAllText(Path.Combine(task, "status"));
            foreach (var expected in new[] { "Uid:\t65534\t65534\t65534\t65534", "Gid:\t65534\t65534\t65534\t65534", "CapPrm:\t0000000000000000",
                         "CapEff:\t0000000000000000", "CapAmb:\t0000000000000000", "NoNewPrivs:\t1", "Seccomp:\t2" })
                Assert.True(status.Contains(expected + "\n", StringComparison.Ordinal), $"{task}: no '{expected}' in\n{status}");
        }

        var fs = SyntheticFileSystem.CreateDefault(20); // the tree the host serves
        foreach (var (path, node) in fs.Paths.Where(p => p.Node.Type == FileType.RegularFile && p.Node.ReadStyle <= ReadStyle.Mixed).Take(10))
            Assert.True(File.ReadAllBytes(Path.Combine(guard.MountPoint, path)).AsSpan().SequenceEqual(SyntheticContent.Range(node.Inode, 0, (int)node.Size)), path);

        Assert.Equal(0, Libc.Kill(host.Process.Id, Libc.SIGTERM));
        Assert.True(host.WaitForExit(TimeSpan.FromSeconds(60)), "the sandboxed server did not exit after SIGTERM: " + host.StandardError);
        Assert.True(host.Process.ExitCode == 0, $"exit code {host.Process.ExitCode}: {host.StandardError}");
        Assert.False(guard.IsMounted, "mount left behind by the sandboxed server");
        Assert.False(guard.WatchdogFired);
    }

    [Fact]
    public void UmountFromOutsideEndsTheSandboxedServer()
    {
        MountGuard.RequireFuse();
        using var guard = new MountGuard(TimeSpan.FromSeconds(120));
        using var host = new TestHostProcess(guard.MountPoint, "--files", "5", "--sandbox");
        host.WaitUntilReady(TimeSpan.FromSeconds(60));
        Assert.Equal(0, Libc.Unmount2(guard.MountPoint, 0));
        Assert.True(host.WaitForExit(TimeSpan.FromSeconds(60)), "the sandboxed server did not exit after umount: " + host.StandardError);
        Assert.True(host.Process.ExitCode == 0, $"exit code {host.Process.ExitCode}: {host.StandardError}");
        Assert.False(guard.IsMounted);
    }

    [Fact]
    public void ASandboxedServerCannotUseMountTwo()
    {
        var error = Assert.Throws<ArgumentException>(() => FuseServer.Mount(DispatcherHarness.Shared,
            new FuseServerOptions { MountPoint = "/unused", MountMethod = FuseMountMethod.Kernel, Sandbox = new SandboxSettings() }));
        Assert.Contains("fusermount3", error.Message);
    }

    [Fact]
    public void FilterNumbersAreTheKernelsAndLeaveOutWhatASandboxRefuses()
    {
        var names = SystemCallFilter.AllowedX86_64.Select(s => s.Name).ToHashSet();
        Assert.Equal(SystemCallFilter.AllowedX86_64.Length, names.Count);
        foreach (var refused in new[] { "mount", "umount2", "execve", "execveat", "ptrace", "bpf", "setuid", "setresuid", "setgroups", "capset",
                     "unshare", "setns", "clone3", "init_module", "kexec_load", "process_vm_writev", "perf_event_open", "userfaultfd",
                     "mkdir", "unlink", "chmod", "chown", "open_by_handle_at", "keyctl" })
            Assert.DoesNotContain(refused, names);

        const string header = "/usr/include/x86_64-linux-gnu/asm/unistd_64.h";
        if (!File.Exists(header)) Assert.Skip($"{header} is absent (package linux-libc-dev) to check the numbers against");
        var numbers = File.ReadLines(header).Select(l => l.Split(' ')).Where(f => f.Length == 3 && f[0] == "#define" && f[1].StartsWith("__NR_", StringComparison.Ordinal))
            .ToDictionary(f => f[1][5..], f => int.Parse(f[2], System.Globalization.CultureInfo.InvariantCulture));
        foreach (var (name, number) in SystemCallFilter.AllowedX86_64) Assert.True(numbers[name] == number, $"{name} is {numbers[name]}, not {number}");
        Assert.True(SystemCallFilter.BuildX86_64().Length < 4096, "BPF_MAXINSNS");
    }
}
