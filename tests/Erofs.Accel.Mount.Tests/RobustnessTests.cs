using Erofs.Accel.Core;
using Erofs.Accel.Fuse;
using Erofs.Accel.Testing;

namespace Erofs.Accel.Mount.Tests;

/// <summary>A corrupt file gives EIO to its reader; the mount and every other file keep working.</summary>
[Collection(MountCollection.Name)]
public class RobustnessTests
{
    [Theory]
    [MemberData(nameof(MountedImage.Transports), MemberType = typeof(MountedImage))]
    public void CorruptPclusterGivesEioAndTheMountKeepsWorking(FuseTransport transport)
    {
        MountedImage.RequireFuseAndRoot();
        var bytes = File.ReadAllBytes(TestCorpus.ImagePath("lz4hc-C64k"));
        string victimPath;
        using (var clean = ErofsImage.Open(new Core.Storage.MemorySource(bytes)))
        {
            var victim = clean.Resolve("/large/large-text.log");
            var pcluster = clean.EnumerateExtents(victim).First(e => e.Kind == Core.Data.ExtentKind.Compressed);
            var rng = new Random(9);
            for (long i = pcluster.PhysicalAddress; i < pcluster.PhysicalAddress + pcluster.PhysicalLength; i++) bytes[i] = (byte)rng.Next(1, 256);
            victimPath = "/large/large-text.log";
        }
        var imagePath = Path.Combine(Path.GetTempPath(), $"erofs-corrupt-{Guid.NewGuid():N}.erofs");
        File.WriteAllBytes(imagePath, bytes);
        try
        {
            using var mount = new MountedImage("lz4hc-C64k-damaged", TimeSpan.FromMinutes(2), imagePath, transport);
            var e = Assert.ThrowsAny<IOException>(() => File.ReadAllBytes(mount.MountPoint + victimPath));
            Assert.Equal(5 /* EIO */, e.HResult & 0xFFFF);
            // the rest still reads, and the same file fails the same way again
            var other = mount.Image.Resolve("/text/doc000.txt");
            Assert.Equal(mount.Image.ReadAllBytes(other), File.ReadAllBytes(mount.MountPoint + "/text/doc000.txt"));
            Assert.ThrowsAny<IOException>(() => File.ReadAllBytes(mount.MountPoint + victimPath));
            Assert.True(MountedImage.IsMounted(mount.MountPoint));
        }
        finally
        {
            File.Delete(imagePath);
        }
    }
}
