using System.Text;
using Erofs.Accel.Fuse.TestHost;
using Erofs.Accel.Fuse.Tests.TestSupport;
using Erofs.Accel.Fuse.Tests.TestSupport.Interop;

namespace Erofs.Accel.Fuse.Tests.Mount;

/// <summary>Mounts the synthetic filesystem for real and reads it back through ordinary file APIs.</summary>
[Collection(FuseMountCollection.Name)]
public sealed class MountedContentTests
{
    [Theory]
    [MemberData(nameof(Transports.Both), MemberType = typeof(Transports))]
    public void EveryNodeReadsBackExactlyThenUnmountsClean(FuseTransport transport)
    {
        using var mount = new MountedSynthetic(SyntheticFileSystem.CreateDefault(120, 2500), transport: transport);
        var checkedFiles = 0;
        foreach (var (path, node) in mount.FileSystem.Paths)
        {
            var full = mount.PathOf(path);
            var status = FileStatus.Of(full);
            Assert.Equal(node.Inode, status.Inode);
            Assert.Equal(node.Mode, status.Mode);
            Assert.Equal(node.LinkCount, status.LinkCount);
            Assert.Equal(1000u, status.UserId);
            Assert.Equal(node.ModificationTime, status.ModificationSeconds);
            Assert.Equal(node.ModificationTimeNanoseconds, status.ModificationNanoseconds);
            switch (node.Type)
            {
                case FileType.RegularFile when node.ReadStyle is not (ReadStyle.Throws or ReadStyle.FailsWithErrno):
                    Assert.Equal((ulong)node.Size, status.Size);
                    var bytes = File.ReadAllBytes(full);
                    Assert.Equal(node.Size, bytes.Length);
                    Assert.True(bytes.AsSpan().SequenceEqual(SyntheticContent.Range(node.Inode, 0, (int)node.Size)), $"content of {path}");
                    checkedFiles++;
                    break;
                case FileType.Directory:
                    var expected = node.Entries.Select(e => Encoding.UTF8.GetString(e.Name)).Order(StringComparer.Ordinal);
                    var actual = Directory.EnumerateFileSystemEntries(full).Select(Path.GetFileName).Order(StringComparer.Ordinal);
                    Assert.Equal(expected, actual);
                    break;
                case FileType.SymbolicLink:
                    Assert.Equal(Encoding.UTF8.GetString(node.LinkTarget!), new FileInfo(full).LinkTarget);
                    Assert.Equal((ulong)node.LinkTarget!.Length, status.Size);
                    break;
                case FileType.CharacterDevice:
                    Assert.Equal(1u, status.RdevMajor);
                    Assert.Equal(3u, status.RdevMinor);
                    break;
            }
        }
        Assert.True(checkedFiles > 100);
        var rootStatus = FileStatus.Of(mount.Root);
        Assert.Equal(SyntheticFileSystem.RootInodeNumber, rootStatus.Inode);
        Assert.Equal(mount.Guard.CurrentMount!.Minor, rootStatus.DeviceMinor);
        Assert.Equal(0, mount.Server.FailedRequestCount);
        mount.UnmountAndVerify();
    }

    [Theory]
    [MemberData(nameof(Transports.Both), MemberType = typeof(Transports))]
    public void HardLinksShareOneInodeAndSymlinksResolve(FuseTransport transport)
    {
        using var mount = new MountedSynthetic(transport: transport);
        Assert.Equal(FileStatus.Of(mount.PathOf("files/f0002.bin")).Inode, FileStatus.Of(mount.PathOf("files/hardlink.bin")).Inode);
        var viaLink = File.ReadAllBytes(mount.PathOf("links/relative"));
        Assert.Equal(File.ReadAllBytes(mount.PathOf("files/f0001.bin")), viaLink);
        Assert.Equal(600, Directory.GetFiles(mount.PathOf("links/to-dir")).Length);
        Assert.Equal(12, Directory.GetDirectories(mount.Root, "*", SearchOption.AllDirectories).Count(d => Path.GetFileName(d).StartsWith('d')));
        Assert.Equal(1234, File.ReadAllBytes(mount.PathOf("d0/d1/d2/d3/d4/d5/d6/d7/d8/d9/d10/d11/leaf.txt")).Length);
        foreach (var name in mount.FileSystem.Node("names").Entries.Select(e => Encoding.UTF8.GetString(e.Name)))
            Assert.True(File.Exists(mount.PathOf("names/" + name)), name);
        mount.UnmountAndVerify();
    }

    [Theory]
    [MemberData(nameof(Transports.Both), MemberType = typeof(Transports))]
    public void ExtendedAttributesAreVisibleThroughTheVfs(FuseTransport transport)
    {
        using var mount = new MountedSynthetic(transport: transport);
        var file = mount.PathOf("files/f0005.bin");
        Assert.Equal(["user.blob", "user.index"], Xattrs.List(file).Order(StringComparer.Ordinal));
        Assert.Equal("5"u8.ToArray(), Xattrs.Get(file, "user.index", out _));
        Assert.Equal(mount.FileSystem.Node("files/f0005.bin").ExtendedAttributes["user.blob"], Xattrs.Get(file, "user.blob", out _));
        Assert.Null(Xattrs.Get(file, "user.missing", out var errno));
        Assert.Equal(Xattrs.ENODATA, errno);
        Assert.Equal(34, Xattrs.GetWithSize(file, "user.blob", 10)); // ERANGE
        var large = Xattrs.Get(mount.PathOf("files/f0003.bin"), "user.large", out _);
        Assert.Equal(20_000, large!.Length);
        Assert.Equal(["user.kind"], Xattrs.List(mount.PathOf("files")));
        Assert.Empty(Xattrs.List(mount.PathOf("files/f0001.bin")));
        mount.UnmountAndVerify();
    }

    [Theory]
    [MemberData(nameof(Transports.Both), MemberType = typeof(Transports))]
    public unsafe void StatfsReportsTheTotals(FuseTransport transport)
    {
        using var mount = new MountedSynthetic(transport: transport);
        var buffer = stackalloc ulong[16];
        Assert.Equal(0, Libc.StatVfs(mount.Root, buffer));
        var expected = mount.FileSystem.GetStatistics();
        Assert.Equal(4096UL, buffer[0]);                 // f_bsize
        Assert.Equal(expected.TotalBlocks, buffer[2]);   // f_blocks (in f_frsize units)
        Assert.Equal(0UL, buffer[3]);                    // f_bfree
        Assert.Equal(expected.TotalInodes, buffer[5]);   // f_files
        Assert.Equal(255UL, buffer[10]);                 // f_namemax
        Assert.Equal(1UL, buffer[9] & 1);                // ST_RDONLY
        mount.UnmountAndVerify();
    }

    [Theory]
    [MemberData(nameof(Transports.Both), MemberType = typeof(Transports))]
    public void WritingIsRefused(FuseTransport transport)
    {
        using var mount = new MountedSynthetic(transport: transport);
        Assert.ThrowsAny<Exception>(() => File.WriteAllText(mount.PathOf("new.txt"), "x"));
        Assert.ThrowsAny<Exception>(() => File.AppendAllText(mount.PathOf("files/f0001.bin"), "x"));
        Assert.ThrowsAny<Exception>(() => Directory.CreateDirectory(mount.PathOf("newdir")));
        Assert.ThrowsAny<Exception>(() => File.Delete(mount.PathOf("files/f0001.bin")));
        Assert.True(File.Exists(mount.PathOf("files/f0001.bin")));
        Assert.False(File.Exists(mount.PathOf("new.txt")));
        mount.UnmountAndVerify();
    }

    [Theory]
    [MemberData(nameof(Transports.Both), MemberType = typeof(Transports))]
    public void AFailingRequestIsEioAndTheMountLivesOn(FuseTransport transport)
    {
        using var mount = new MountedSynthetic(transport: transport);
        var error = Assert.ThrowsAny<IOException>(() => File.ReadAllBytes(mount.PathOf("errors/throws.bin")));
        Assert.Contains("Input/output error", error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.ThrowsAny<IOException>(() => File.ReadAllBytes(mount.PathOf("errors/errno.bin")));
        Assert.True(mount.Server.FailedRequestCount >= 1);
        Assert.Contains(mount.Logger.Entries, e => e.Message.Contains("synthetic failure", StringComparison.Ordinal));
        var node = mount.FileSystem.Node("files/f0009.bin");
        Assert.Equal(SyntheticContent.Range(node.Inode, 0, (int)node.Size), File.ReadAllBytes(mount.PathOf("files/f0009.bin")));
        mount.UnmountAndVerify();
    }

    [Theory]
    [MemberData(nameof(Transports.Both), MemberType = typeof(Transports))]
    public void ReadaheadIsRaisedSoReadsArriveLarge(FuseTransport transport)
    {
        using var mount = new MountedSynthetic(transport: transport);
        var entry = mount.Guard.CurrentMount!;
        Assert.Equal(1024, Erofs.Accel.Fuse.Transport.FuseConnectionControl.TryGetReadAhead(entry.Major, entry.Minor));
        var node = mount.FileSystem.Node("files/f0011.bin");
        var before = mount.FileSystem.ReadCalls;
        using (var stream = new FileStream(mount.PathOf("files/f0011.bin"), FileMode.Open, FileAccess.Read, FileShare.Read, 1))
        {
            var buffer = new byte[64 * 1024];
            while (stream.Read(buffer) > 0)
            {
            }
        }
        var calls = mount.FileSystem.ReadCalls - before;
        // 3 MiB + 17 bytes: with 128 KiB requests this would take 25 calls or more
        Assert.True(calls < 20, $"{calls} READ requests for a {node.Size}-byte file");
        mount.UnmountAndVerify();
    }
}
