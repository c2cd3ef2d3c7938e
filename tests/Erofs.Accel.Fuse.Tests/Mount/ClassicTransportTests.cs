using Erofs.Accel.Fuse.TestHost;
using Erofs.Accel.Fuse.Tests.TestSupport;
using Erofs.Accel.Fuse.Tests.TestSupport.Interop;
using Microsoft.Win32.SafeHandles;

namespace Erofs.Accel.Fuse.Tests.Mount;

/// <summary>The /dev/fuse transport gives each worker its own clone of the connection's descriptor.</summary>
[Collection(FuseMountCollection.Name)]
public sealed class ClassicTransportTests
{
    [Fact]
    public void ConcurrentReadersMakeWorkersOnClonedDescriptors()
    {
        var before = OpenFuseDescriptors();
        using var mount = new MountedSynthetic(SyntheticFileSystem.CreateDefault(20, 10));
        var node = mount.FileSystem.Node("files/f0011.bin");
        var stop = DateTime.UtcNow.AddSeconds(2);
        var readers = Enumerable.Range(0, 4).Select(seed => new Thread(() =>
        {
            var fd = Libc.Open(mount.PathOf("files/f0011.bin"), Libc.DirectFlag);
            Assert.True(fd >= 0);
            using var handle = new SafeFileHandle(fd, ownsHandle: true);
            var buffer = GC.AllocateArray<byte>(4096, pinned: true);
            var random = new Random(seed);
            while (DateTime.UtcNow < stop) RandomAccess.Read(handle, buffer, random.NextInt64(0, node.Size / 4096) * 4096);
        })).ToList();
        readers.ForEach(r => r.Start());
        readers.ForEach(r => r.Join());

        var during = OpenFuseDescriptors();
        Assert.True(mount.Server.PeakWorkerCount > 1, "the readers should have made more workers");
        // the session's descriptor plus one clone per worker that ever ran
        Assert.True(during - before > 1, $"{during - before} /dev/fuse descriptors for {mount.Server.PeakWorkerCount} workers");
        mount.UnmountAndVerify();
        // the session's own descriptor closes with the server; the clones close when the session ends
        Assert.True(OpenFuseDescriptors() <= before + 1, "clones left open after the session ended");
    }

    private static int OpenFuseDescriptors() =>
        new DirectoryInfo("/proc/self/fd").EnumerateFileSystemInfos().Count(f =>
        {
            try
            {
                return f.LinkTarget == "/dev/fuse";
            }
            catch (IOException)
            {
                return false;
            }
        });
}
