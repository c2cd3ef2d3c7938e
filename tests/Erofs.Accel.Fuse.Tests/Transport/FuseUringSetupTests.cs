using Erofs.Accel.Fuse.Transport;

namespace Erofs.Accel.Fuse.Tests.Transport;

/// <summary>Where the io_uring queues go, and whether the kernel's switch is on.</summary>
public sealed class FuseUringSetupTests
{
    [Theory]
    [InlineData("0-1\n", new[] { 0, 1 })]
    [InlineData("0", new[] { 0 })]
    [InlineData("0-3,8,10-11", new[] { 0, 1, 2, 3, 8, 10, 11 })]
    [InlineData("", new int[0])]
    [InlineData("x,3-1,5", new[] { 5 })]
    public void CpuListsParseLikeTheKernelWritesThem(string text, int[] expected) => Assert.Equal(expected, CpuList.Parse(text));

    [Fact]
    public void EveryOnlineCpuGetsAPinnedThreadWithItsOwnQueue()
    {
        var plan = FuseUringQueuePlan.For([0, 1, 2, 3], [0, 1, 2, 3], depth: 4);
        Assert.Equal([0, 1, 2, 3], plan.Threads.Select(t => t.Cpu));
        foreach (var thread in plan.Threads) Assert.Equal(Enumerable.Repeat((ushort)thread.Cpu, 4), thread.EntryQueues);
        Assert.Equal(16, plan.EntryCount);
    }

    [Fact]
    public void OfflineCpusStillGetAnEntrySoTheKernelCanUseTheRings()
    {
        var plan = FuseUringQueuePlan.For([0, 1, 2, 3, 4, 5], [1, 3], depth: 2);
        Assert.Equal([1, 3], plan.Threads.Select(t => t.Cpu));
        Assert.Equal(new ushort[] { 1, 1, 0, 2, 4, 5 }, plan.Threads[0].EntryQueues);
        Assert.Equal(new ushort[] { 3, 3 }, plan.Threads[1].EntryQueues);
        // every possible CPU's queue has an entry
        Assert.Equal(Enumerable.Range(0, 6).Select(i => (ushort)i), plan.Threads.SelectMany(t => t.EntryQueues).Distinct().Order());
    }

    [Fact]
    public void ThisMachinesPlanCoversEveryPossibleCpu()
    {
        var plan = FuseUringQueuePlan.ForThisMachine(depth: 2);
        var possible = CpuList.Read("/sys/devices/system/cpu/possible");
        if (possible.Count == 0) Assert.Skip("/sys/devices/system/cpu/possible is not readable here");
        Assert.Equal(possible.Select(c => (ushort)c), plan.Threads.SelectMany(t => t.EntryQueues).Distinct().Order());
    }

    [Fact]
    public void EnableUringTurnsTheSwitchOnOnlyWhenAllowed()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "N\n");
            Assert.False(FuseUringSupport.TryEnable(path, mayWrite: false, out var reason));
            Assert.Contains("only root", reason);
            Assert.Equal("N\n", File.ReadAllText(path));

            Assert.True(FuseUringSupport.TryEnable(path, mayWrite: true, out _));
            Assert.Equal("1", File.ReadAllText(path));

            File.WriteAllText(path, "Y\n");
            Assert.True(FuseUringSupport.TryEnable(path, mayWrite: false, out _));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void AKernelWithoutTheSwitchIsReportedInOneLine()
    {
        var missing = Path.Combine(Path.GetTempPath(), "no-such-" + Guid.NewGuid().ToString("N"), "enable_uring");
        Assert.False(FuseUringSupport.TryEnable(missing, mayWrite: true, out var reason));
        Assert.Contains("CONFIG_FUSE_IO_URING", reason);
        Assert.DoesNotContain('\n', reason);
    }

    [Fact]
    public void DefaultReadSizeIsTheKernelMaximum()
    {
        var pages = FuseKernelLimits.MaxPages;
        Assert.InRange(pages, 1, ushort.MaxValue);
        Assert.Equal(Math.Min(pages * Environment.SystemPageSize, FuseKernelLimits.DefaultReadCeiling), new FuseServerOptions { MountPoint = "/x" }.MaxReadBytes);
    }
}
