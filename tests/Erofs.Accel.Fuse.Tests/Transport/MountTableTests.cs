using Erofs.Accel.Fuse.Transport;

namespace Erofs.Accel.Fuse.Tests.Transport;

public sealed class MountTableTests
{
    [Fact]
    public void ParsesALineWithOptionalFieldsAndEscapes()
    {
        var entry = MountTable.ParseLine(
            @"42 27 0:39 / /tmp/with\040space ro,nosuid,nodev,relatime shared:7 master:1 - fuse.erofs-accel /img/a\134b.erofs ro,user_id=0,group_id=0");
        Assert.NotNull(entry);
        Assert.Equal(42, entry.MountId);
        Assert.Equal(0u, entry.Major);
        Assert.Equal(39u, entry.Minor);
        Assert.Equal("/tmp/with space", entry.MountPoint);
        Assert.Equal("fuse.erofs-accel", entry.FileSystemType);
        Assert.Equal(@"/img/a\b.erofs", entry.Source);
        Assert.Equal("ro,nosuid,nodev,relatime", entry.Options);
    }

    [Theory]
    [InlineData("")]
    [InlineData("garbage")]
    [InlineData("42 27 0:39 / /mnt rw - fuse")]
    [InlineData("x 27 0:39 / /mnt rw,relatime - fuse src rw")]
    [InlineData("42 27 039 / /mnt rw,relatime - fuse src rw")]
    public void MalformedLinesAreSkipped(string line) => Assert.Null(MountTable.ParseLine(line));

    [Fact]
    public void ReadsTheRunningSystemsTable()
    {
        var entries = MountTable.Read();
        Assert.Contains(entries, e => e.MountPoint == "/proc" || e.MountPoint == "/");
    }

    [Fact]
    public void FindsTheTopmostMountOnAPath()
    {
        var path = Path.Combine(Path.GetTempPath(), "h3-mountinfo-" + Guid.NewGuid().ToString("N"));
        File.WriteAllLines(path,
        [
            "1 0 8:1 / / rw - ext4 /dev/sda1 rw",
            "2 1 0:40 / /mnt rw - tmpfs tmpfs rw",
            "3 2 0:41 / /mnt rw - fuse.x src rw",
        ]);
        try
        {
            var entry = MountTable.FindByMountPoint("/mnt", path);
            Assert.Equal(41u, entry!.Minor);
            Assert.Null(MountTable.FindByMountPoint("/mnt/sub", path));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
