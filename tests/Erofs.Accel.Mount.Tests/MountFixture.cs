using System.Runtime.InteropServices;
using Erofs.Accel.Core;
using Erofs.Accel.Fuse;
using Erofs.Accel.Testing;

namespace Erofs.Accel.Mount.Tests;

/// <summary>Mount tests run one at a time: they share the kernel's FUSE state and the machine has few cores.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MountCollection
{
    public const string Name = "EROFS mounts";
}

/// <summary>
/// A corpus image served on a temporary mount point by an in-process FUSE server, with a watchdog: a hung mount is
/// aborted through fusectl and detached, so a bug fails the test instead of hanging the run.
/// </summary>
internal sealed class MountedImage : IDisposable
{
    private readonly Timer _watchdog;
    private readonly Thread _serverThread;

    public ErofsImage Image { get; }
    public FuseServer Server { get; }
    public string MountPoint { get; }
    public int ExitCode { get; private set; } = -1;

    public static void RequireFuseAndRoot()
    {
        if (!File.Exists("/dev/fuse")) Assert.Skip("/dev/fuse is absent (no FUSE in this kernel or container)");
        if (Native.geteuid() != 0) Assert.Skip("mount tests need root (mount(2), fusectl)");
    }

    /// <summary>The transports every mount test runs over.</summary>
    public static TheoryData<FuseTransport> Transports => new() { FuseTransport.Classic, FuseTransport.IoUring };

    public MountedImage(string name, TimeSpan watchdog, string? imagePath = null, FuseTransport transport = FuseTransport.Classic,
        Func<ErofsImage, IReadOnlyFileSystem>? fileSystem = null)
    {
        RequireFuseAndRoot();
        MountPoint = TestPaths.NewTempDirectory("mnt");
        Image = imagePath is null
            ? ErofsImage.Open(TestCorpus.ImagePath(name), new ErofsImageOptions { ExtraDevicePaths = TestCorpus.ExtraDevices(name).ToArray() })
            : ErofsImage.Open(imagePath);
        try
        {
            Server = FuseServer.Mount(fileSystem?.Invoke(Image) ?? new ErofsFileSystem(Image), new FuseServerOptions { MountPoint = MountPoint, Source = name, Transport = transport, AllowOther = true });
        }
        catch (FuseMountException e) when (transport == FuseTransport.IoUring && e.Errno == Errno.EOPNOTSUPP)
        {
            Image.Dispose();
            Directory.Delete(MountPoint);
            Assert.Skip(e.Message);
            throw;
        }
        _serverThread = new Thread(() => ExitCode = Server.Run()) { IsBackground = true, Name = "fuse-server " + name };
        _serverThread.Start();
        Assert.True(Server.WaitUntilReady(TimeSpan.FromSeconds(30)), "the mount did not become ready");
        Assert.True(Server.ActiveTransport == transport, $"serving over {Server.ActiveTransport}, not {transport}: {Server.TransportNote}");
        _watchdog = new Timer(_ => Rescue(MountPoint), null, watchdog, Timeout.InfiniteTimeSpan);
    }

    public static bool IsMounted(string mountPoint)
    {
        var target = Path.GetFullPath(mountPoint).TrimEnd('/');
        foreach (var line in File.ReadLines("/proc/self/mountinfo"))
        {
            var f = line.Split(' ');
            if (f.Length > 4 && f[4].Replace("\\040", " ") == target) return true;
        }
        return false;
    }

    /// <summary>Aborts the FUSE connection of a mount point and detaches it.</summary>
    public static void Rescue(string mountPoint)
    {
        var target = Path.GetFullPath(mountPoint).TrimEnd('/');
        for (int attempt = 0; attempt < 5 && IsMounted(target); attempt++)
        {
            foreach (var line in File.ReadLines("/proc/self/mountinfo"))
            {
                var f = line.Split(' ');
                if (f.Length > 4 && f[4] == target && f[2].Split(':') is [_, var minor])
                {
                    try { File.WriteAllText($"/sys/fs/fuse/connections/{minor}/abort", "1"); } catch (IOException) { } catch (UnauthorizedAccessException) { }
                }
            }
            Native.umount2(target, 2 /* MNT_DETACH */);
        }
    }

    public void Dispose()
    {
        _watchdog.Dispose();
        Server.Unmount();
        _serverThread.Join(TimeSpan.FromSeconds(30));
        Server.Dispose();
        Rescue(MountPoint);
        Image.Dispose();
        try { Directory.Delete(MountPoint); } catch (IOException) { }
    }
}

internal static partial class Native
{
    [LibraryImport("libc")]
    internal static partial uint geteuid();

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int umount2(string target, int flags);
}
