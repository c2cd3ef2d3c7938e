using Erofs.Accel.Fuse.TestHost;
using Erofs.Accel.Fuse.Tests.TestSupport;

namespace Erofs.Accel.Fuse.Tests.Mount;

/// <summary>The synthetic filesystem mounted in this process (server on background threads) under a watchdog.</summary>
internal sealed class MountedSynthetic : IDisposable
{
    public MountedSynthetic(
        SyntheticFileSystem? fileSystem = null,
        FuseMountMethod method = FuseMountMethod.Kernel,
        TimeSpan? watchdog = null,
        TimeSpan? unmountGrace = null,
        int maxWorkers = 16,
        FuseTransport transport = FuseTransport.Classic,
        FuseTransport? expectTransport = null,
        bool prefillPageCache = true)
    {
        MountGuard.RequireTransport(transport);
        Transport = expectTransport ?? transport;
        FileSystem = fileSystem ?? SyntheticFileSystem.CreateDefault(60, 600);
        Guard = new MountGuard(watchdog ?? TimeSpan.FromSeconds(120));
        try
        {
            Server = FuseServer.Mount(FileSystem, new FuseServerOptions
            {
                MountPoint = Guard.MountPoint,
                Source = "synthetic",
                MountMethod = method,
                Logger = Logger,
                MaxWorkers = maxWorkers,
                Transport = transport,
                UnmountGracePeriod = unmountGrace ?? TimeSpan.FromSeconds(5),
                PrefillPageCache = prefillPageCache,
            });
            Assert.True(Server.WaitUntilReady(TimeSpan.FromSeconds(20)), "INIT was not answered");
            Assert.True(Transport == Server.ActiveTransport, $"serving over {Server.ActiveTransport}, not {Transport}: {Server.TransportNote}");
        }
        catch
        {
            Guard.Dispose();
            throw;
        }
    }

    public SyntheticFileSystem FileSystem { get; }

    public FuseTransport Transport { get; }

    public MountGuard Guard { get; }

    public FuseServer Server { get; }

    public CollectingLogger Logger { get; } = new();

    public string Root => Guard.MountPoint;

    public string PathOf(string relative) => Path.Combine(Root, relative);

    /// <summary>Unmounts through the server and checks that nothing is left mounted and the workers stopped.</summary>
    public void UnmountAndVerify()
    {
        if (Transport == FuseTransport.IoUring) Assert.True(Server.RingRequestCount > 0, "no request came through io_uring");
        Server.Unmount();
        Assert.True(Waits.Completed(Server.Completion, TimeSpan.FromSeconds(20)), "the session did not end after unmount");
        Assert.False(Guard.IsMounted, "still mounted after Unmount");
        Assert.False(Guard.WatchdogFired, "the watchdog had to rescue the mount");
    }

    public void Dispose()
    {
        try
        {
            Server.Dispose();
        }
        finally
        {
            Guard.Dispose();
        }
    }
}
