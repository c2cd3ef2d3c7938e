using System.Text.RegularExpressions;
using Erofs.Accel.Testing;

namespace Erofs.Accel.Mount.Tests;

/// <summary>
/// <c>erofs-accel mount</c> as users run it (sandbox on by default): every corpus image still reads exactly as the
/// kernel's manifest says, with the server holding no privileges; <c>--no-sandbox</c> keeps them.
/// </summary>
[Collection(MountCollection.Name)]
public class SandboxedMountTests
{
    public static TheoryData<string> Images => TestCorpus.ImageNamesData();

    [Theory]
    [MemberData(nameof(Images))]
    public void EveryImageReadsThroughTheSandboxedServer(string name)
    {
        TestCorpus.RequireDirectory();
        var arguments = new List<string> { "mount", TestCorpus.ImagePath(name) };
        foreach (var device in TestCorpus.ExtraDevices(name)) arguments.AddRange(["--device", device]);
        // DEFLATE images also take the OpenCL path where a device exists (PoCL on CPUs), which starts after the sandbox
        if (name.StartsWith("deflate", StringComparison.Ordinal)) arguments.AddRange(["--accel", "opencl"]);
        WithCliMount(arguments, (mountPoint, serverPid) =>
        {
            AssertUnprivileged(serverPid);
            Assert.Equal(CorpusManifests.Expected(name), CorpusManifests.ManifestOf(mountPoint));
        });
    }

    [Fact]
    public void NoSandboxKeepsTheServersPrivileges()
    {
        TestCorpus.RequireDirectory();
        WithCliMount(["mount", TestCorpus.ImagePath("lz4"), "--no-sandbox"], (mountPoint, serverPid) =>
        {
            var status = File.ReadAllText($"/proc/{serverPid}/status");
            Assert.Contains("Seccomp:\t0\n", status);
            Assert.DoesNotContain("CapEff:\t0000000000000000\n", status);
            Assert.True(File.Exists(Path.Combine(mountPoint, "text", "doc000.txt")));
        });
    }

    private static void AssertUnprivileged(int serverPid)
    {
        foreach (var task in Directory.GetDirectories($"/proc/{serverPid}/task"))
        {
            var status = File.ReadAllText(Path.Combine(task, "status"));
            foreach (var expected in new[] { "Uid:\t65534\t65534\t65534\t65534", "CapPrm:\t0000000000000000", "CapEff:\t0000000000000000", "NoNewPrivs:\t1", "Seccomp:\t2" })
                Assert.True(status.Contains(expected + "\n", StringComparison.Ordinal), $"{task}: no '{expected}'");
        }
    }

    /// <summary>Mounts in the background with the CLI, runs <paramref name="check"/>, unmounts and waits for the server to end.</summary>
    private static void WithCliMount(List<string> arguments, Action<string, int> check)
    {
        MountedImage.RequireFuseAndRoot();
        var mountPoint = TestPaths.NewTempDirectory("sandboxed");
        arguments.Insert(2, mountPoint);
        try
        {
            var (code, output, errors) = HostTools.Run("dotnet", [Path.Combine(AppContext.BaseDirectory, "erofs-accel.dll"), .. arguments]);
            Assert.True(code == 0, $"mount failed: {errors}");
            int pid = int.Parse(Regex.Match(output, @"server pid (\d+)").Groups[1].Value);
            try
            {
                check(mountPoint, pid);
            }
            finally
            {
                HostTools.Run("/usr/bin/umount", [mountPoint]);
                Assert.True(SpinWait.SpinUntil(() => !Directory.Exists($"/proc/{pid}") || File.ReadAllText($"/proc/{pid}/stat").Contains(") Z "), 30_000),
                    "the server did not end after umount");
            }
            Assert.False(MountedImage.IsMounted(mountPoint));
        }
        finally
        {
            MountedImage.Rescue(mountPoint);
            TestPaths.DeleteTree(mountPoint);
        }
    }
}
