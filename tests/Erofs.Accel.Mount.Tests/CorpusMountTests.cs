using Erofs.Accel.Fuse;
using Erofs.Accel.Testing;

namespace Erofs.Accel.Mount.Tests;

/// <summary>Every corpus image mounted through our FUSE server looks to the manifest tool exactly as the kernel's mount.</summary>
[Collection(MountCollection.Name)]
public class CorpusMountTests
{
    /// <summary>Every corpus image over both transports.</summary>
    public static TheoryData<string, FuseTransport> ImagesAndTransports()
    {
        var data = new TheoryData<string, FuseTransport>();
        var names = TestCorpus.ImageNames();
        if (names.Count == 0) data.Add("(corpus-absent)", FuseTransport.Classic);
        foreach (var name in names)
        {
            data.Add(name, FuseTransport.Classic);
            data.Add(name, FuseTransport.IoUring);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(ImagesAndTransports))]
    public void MountedTreeEqualsTheManifest(string name, FuseTransport transport)
    {
        TestCorpus.RequireDirectory();
        string mountPoint;
        using (var mount = new MountedImage(name, TimeSpan.FromMinutes(3), transport: transport))
        {
            mountPoint = mount.MountPoint;
            Assert.Equal(CorpusManifests.Expected(name), CorpusManifests.ManifestOf(mount.MountPoint));
        }
        Assert.False(MountedImage.IsMounted(mountPoint), "still mounted after the server stopped");
    }
}
