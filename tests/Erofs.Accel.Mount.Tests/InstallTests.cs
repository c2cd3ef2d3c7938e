using Erofs.Accel.Testing;

namespace Erofs.Accel.Mount.Tests;

/// <summary>
/// scripts/install.sh as an administrator runs it: a self-contained binary that needs no dotnet, the mount(8) helper
/// that mount -t fuse.erofs-accel and fstab lines reach, the manual, and an uninstall that removes all of it.
/// </summary>
[Collection(MountCollection.Name)]
public sealed class InstallTests
{
    private const string Helper = "/sbin/mount.fuse.erofs-accel";

    [Fact]
    public void InstalledHelperServesMountTypeAndFstabAndUninstallRemovesEverything()
    {
        MountedImage.RequireFuseAndRoot();
        if (Path.Exists(Helper) || File.Exists("/sbin/mount.fuse.erofs-accel"))
            Assert.Skip($"{Helper} already exists (erofs-accel is installed on this machine): not touching it");
        var installer = Path.Combine(TestCorpus.RepoRoot, "scripts", "install.sh");
        var dir = TestPaths.NewTempDirectory("admin-install");
        var prefix = Path.Combine(dir, "prefix");
        var mp = Directory.CreateDirectory(Path.Combine(dir, "mnt")).FullName;
        try
        {
            var install = AdminMountTests.Run(installer, ["--prefix", prefix], TimeSpan.FromMinutes(20));
            Assert.True(install.Exit == 0, install.Out + install.Err);
            foreach (var path in new[] { "bin/erofs-accel", "lib/erofs-accel/erofs-accel", "sbin/mount.fuse.erofs-accel", "share/man/man8/erofs-accel.8" })
                Assert.True(Path.Exists(Path.Combine(prefix, path)), $"{path} was not installed");
            Assert.Equal(Path.Combine(prefix, "sbin", "mount.fuse.erofs-accel"), new FileInfo(Helper).LinkTarget);

            // self-contained: runs with no dotnet anywhere on PATH
            var info = AdminMountTests.Run("env", ["-i", "PATH=/nonexistent", Path.Combine(prefix, "bin", "erofs-accel"), "info", TestCorpus.ImagePath("lz4")]);
            Assert.True(info.Exit == 0, info.Err);
            Assert.Contains("block size", info.Out);

            // mount -t with options, through /sbin/mount.fuse.erofs-accel
            var blob = TestCorpus.ExtraDevices("chunk-blob")[0];
            var r = AdminMountTests.Run("mount", ["-t", "fuse.erofs-accel", TestCorpus.ImagePath("chunk-blob"), mp, "-o", $"ro,allow_other,device={blob}"]);
            Assert.True(r.Exit == 0, r.Err);
            Assert.Equal(CorpusManifests.Expected("chunk-blob"), CorpusManifests.ManifestOf(mp));
            Assert.Equal(0, AdminMountTests.Run("umount", [mp]).Exit);

            var refused = AdminMountTests.Run("mount", ["-t", "fuse.erofs-accel", TestCorpus.ImagePath("lz4"), mp, "-o", "ro,frobnicate"]);
            Assert.NotEqual(0, refused.Exit);
            Assert.Contains("unknown option frobnicate", refused.Err);
            var missing = AdminMountTests.Run("mount", ["-t", "fuse.erofs-accel", TestCorpus.ImagePath("tar-index"), mp]);
            Assert.NotEqual(0, missing.Exit);
            Assert.Contains("is missing", missing.Err);
            Assert.False(MountedImage.IsMounted(mp));

            // fstab lines, mounted by their mount point: one with a device, one at an offset (mount(8) makes a loop device)
            const long offset = 1 << 20;
            var disk = Path.Combine(dir, "disk.img");
            using (var f = File.Create(disk))
            {
                f.Write(new byte[offset]);
                using var image = File.OpenRead(TestCorpus.ImagePath("deflate"));
                image.CopyTo(f);
            }
            var fstab = Path.Combine(dir, "fstab");
            File.WriteAllText(fstab,
                $"{TestCorpus.ImagePath("tar-index")} {mp} fuse.erofs-accel ro,device={TestCorpus.ExtraDevices("tar-index")[0]},nofail,x-systemd.automount 0 0\n");
            r = AdminMountTests.Run("mount", ["--fstab", fstab, mp]);
            Assert.True(r.Exit == 0, r.Err);
            Assert.Equal(CorpusManifests.Expected("tar-index"), CorpusManifests.ManifestOf(mp));
            Assert.Equal(0, AdminMountTests.Run("umount", [mp]).Exit);

            File.WriteAllText(fstab, $"{disk} {mp} fuse.erofs-accel ro,offset={offset},allow_other 0 0\n");
            r = AdminMountTests.Run("mount", ["--fstab", fstab, mp]);
            Assert.True(r.Exit == 0, r.Err);
            Assert.Equal(CorpusManifests.Expected("deflate"), CorpusManifests.ManifestOf(mp));
            Assert.Equal(0, AdminMountTests.Run("umount", [mp]).Exit);
        }
        finally
        {
            if (MountedImage.IsMounted(mp)) AdminMountTests.Run("umount", [mp]);
            MountedImage.Rescue(mp);
            if (File.Exists(Path.Combine(prefix, "share", "erofs-accel", "installed-files")))
            {
                var uninstall = AdminMountTests.Run(installer, ["--prefix", prefix, "--uninstall"]);
                Assert.False(Path.Exists(Helper), $"{Helper} left behind: {uninstall.Err}");
                Assert.True(uninstall.Exit == 0, uninstall.Err);
                Assert.Empty(Directory.Exists(prefix) ? Directory.GetFileSystemEntries(prefix, "*", SearchOption.AllDirectories) : []);
            }
            TestPaths.DeleteTree(dir);
        }
    }
}
