using Erofs.Accel.Fuse.TestHost;
using Erofs.Accel.Fuse.Tests.TestSupport;
using Erofs.Accel.Fuse.Tests.TestSupport.Interop;
using Erofs.Accel.Fuse.Transport;

namespace Erofs.Accel.Fuse.Tests.Mount;

/// <summary>The server as its own process: SIGTERM during reads, umount from outside, death with auto_unmount.</summary>
[Collection(FuseMountCollection.Name)]
public sealed class ChildProcessTests
{
    [Theory]
    [MemberData(nameof(Transports.Both), MemberType = typeof(Transports))]
    public void SigtermDuringReadsUnmountsAndExitsZero(FuseTransport transport)
    {
        MountGuard.RequireTransport(transport);
        using var guard = new MountGuard(TimeSpan.FromSeconds(120));
        using var host = new TestHostProcess(guard.MountPoint, "--files", "40", "--transport", Transports.ArgumentFor(transport));
        host.WaitUntilReady(TimeSpan.FromSeconds(60));
        Assert.True(guard.IsMounted);

        var fs = SyntheticFileSystem.CreateDefault(40); // the same tree the host serves
        var files = fs.Paths.Where(p => p.Node.Type == FileType.RegularFile && p.Node.Size > 0 && p.Node.ReadStyle <= ReadStyle.Mixed).ToArray();
        using var stop = new CancellationTokenSource();
        long verifiedReads = 0, mismatches = 0;
        var readers = Enumerable.Range(0, 8).Select(seed => new Thread(() =>
        {
            var random = new Random(seed);
            var buffer = new byte[1 << 20];
            while (!stop.IsCancellationRequested)
            {
                var (path, node) = files[random.Next(files.Length)];
                try
                {
                    using var handle = File.OpenHandle(Path.Combine(guard.MountPoint, path));
                    var offset = random.NextInt64(0, node.Size);
                    var length = (int)Math.Min(buffer.Length, node.Size - offset);
                    var got = RandomAccess.Read(handle, buffer.AsSpan(0, length), offset);
                    if (!buffer.AsSpan(0, got).SequenceEqual(SyntheticContent.Range(node.Inode, offset, got))) Interlocked.Increment(ref mismatches);
                    else Interlocked.Increment(ref verifiedReads);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // after the unmount the path is gone or the connection aborted: expected
                }
            }
        }) { IsBackground = true }).ToList();
        readers.ForEach(r => r.Start());

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (Interlocked.Read(ref verifiedReads) < 50 && DateTime.UtcNow < deadline) Thread.Sleep(20);
        Assert.True(Interlocked.Read(ref verifiedReads) >= 50, "readers made no progress");

        Assert.Equal(0, Libc.Kill(host.Process.Id, Libc.SIGTERM));
        Assert.True(host.WaitForExit(TimeSpan.FromSeconds(60)), "the server did not exit after SIGTERM: " + host.StandardError);
        stop.Cancel();
        foreach (var reader in readers) Assert.True(reader.Join(TimeSpan.FromSeconds(30)), "a reader hung after SIGTERM");

        Assert.True(host.Process.ExitCode == 0, $"exit code {host.Process.ExitCode}: {host.StandardError}");
        Assert.Contains($"transport {transport}", host.StandardError);
        Assert.False(guard.IsMounted, "mount left behind after SIGTERM");
        Assert.False(guard.WatchdogFired);
        Assert.Equal(0, Interlocked.Read(ref mismatches));
    }

    [Theory]
    [MemberData(nameof(Transports.Both), MemberType = typeof(Transports))]
    public void UmountFromOutsideEndsTheProcessWithZero(FuseTransport transport)
    {
        MountGuard.RequireTransport(transport);
        using var guard = new MountGuard(TimeSpan.FromSeconds(120));
        using var host = new TestHostProcess(guard.MountPoint, "--files", "5", "--transport", Transports.ArgumentFor(transport));
        host.WaitUntilReady(TimeSpan.FromSeconds(60));
        Assert.Equal(7, Directory.GetFileSystemEntries(guard.MountPoint).Length);
        Assert.Equal(0, Libc.Unmount2(guard.MountPoint, 0));
        Assert.True(host.WaitForExit(TimeSpan.FromSeconds(30)), "still running after umount: " + host.StandardError);
        Assert.Equal(0, host.Process.ExitCode);
        Assert.Contains($"transport {transport}", host.StandardError);
        Assert.False(guard.IsMounted);
    }

    [Theory]
    [MemberData(nameof(Transports.Both), MemberType = typeof(Transports))]
    public void SigintAlsoUnmountsCleanly(FuseTransport transport)
    {
        MountGuard.RequireTransport(transport);
        using var guard = new MountGuard(TimeSpan.FromSeconds(120));
        using var host = new TestHostProcess(guard.MountPoint, "--files", "5", "--transport", Transports.ArgumentFor(transport));
        host.WaitUntilReady(TimeSpan.FromSeconds(60));
        Assert.Equal(0, Libc.Kill(host.Process.Id, 2));
        Assert.True(host.WaitForExit(TimeSpan.FromSeconds(30)), "still running after SIGINT: " + host.StandardError);
        Assert.Equal(0, host.Process.ExitCode);
        Assert.Contains($"transport {transport}", host.StandardError);
        Assert.False(guard.IsMounted);
    }

    /// <summary>
    /// With io_uring the kernel closes a dead server's connection only once it has torn its rings down, after the
    /// process is gone; the rings hold the fusermount3 socket too and let go of it after /dev/fuse, so the helper wakes
    /// to a closed connection and unmounts.
    /// </summary>
    [Theory]
    [MemberData(nameof(Transports.Both), MemberType = typeof(Transports))]
    public void KilledFusermountServerIsUnmountedAutomatically(FuseTransport transport)
    {
        MountGuard.RequireTransport(transport);
        if (FusermountMounter.FindProgram() is null) Assert.Skip("fusermount3 is not installed (Debian package fuse3)");
        using var guard = new MountGuard(TimeSpan.FromSeconds(120));
        using var host = new TestHostProcess(guard.MountPoint, "--files", "5", "--method", "fusermount", "--transport", Transports.ArgumentFor(transport));
        host.WaitUntilReady(TimeSpan.FromSeconds(60));
        Assert.True(guard.IsMounted);
        Assert.Equal(0, Libc.Kill(host.Process.Id, Libc.SIGKILL));
        Assert.True(host.WaitForExit(TimeSpan.FromSeconds(30)));
        Assert.True(guard.WaitUntilUnmounted(TimeSpan.FromSeconds(30)), "auto_unmount did not remove the mount");
    }

    [Fact]
    public void BadMountPointGivesOneLineAndNonZeroExit()
    {
        MountGuard.RequireFuse();
        var missing = Path.Combine(Path.GetTempPath(), "h3-missing-" + Guid.NewGuid().ToString("N"));
        using var host = new TestHostProcess(missing);
        Assert.True(host.WaitForExit(TimeSpan.FromSeconds(60)));
        Assert.NotEqual(0, host.Process.ExitCode);
        var lines = host.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.Contains("does not exist", lines[0]);
    }
}
