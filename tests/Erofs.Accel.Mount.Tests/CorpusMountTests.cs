using Erofs.Accel.Testing;

namespace Erofs.Accel.Mount.Tests;

/// <summary>Every corpus image mounted through our FUSE server looks to the manifest tool exactly as the kernel's mount.</summary>
[Collection(MountCollection.Name)]
public class CorpusMountTests
{
    public static TheoryData<string> Images => TestCorpus.ImageNamesData();

    [Theory]
    [MemberData(nameof(Images))]
    public void MountedTreeEqualsTheManifest(string name)
    {
        TestCorpus.RequireDirectory();
        string mountPoint;
        using (var mount = new MountedImage(name, TimeSpan.FromMinutes(3)))
        {
            mountPoint = mount.MountPoint;
            Assert.Equal(CorpusManifests.Expected(name), CorpusManifests.ManifestOf(mount.MountPoint));
        }
        Assert.False(MountedImage.IsMounted(mountPoint), "still mounted after the server stopped");
    }
}
