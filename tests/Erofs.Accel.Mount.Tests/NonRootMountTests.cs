using Erofs.Accel.Testing;

namespace Erofs.Accel.Mount.Tests;

/// <summary>
/// A user other than root mounts without allow_other, through fusermount3, where /dev/fuse lets them: inside a private
/// mount namespace whose /dev/fuse is a 0666 node (as on a stock Debian), so the host's device is left as it is.
/// </summary>
[Collection(MountCollection.Name)]
public sealed class NonRootMountTests
{
    [Fact]
    public void AUserMountsWithoutAllowOtherAndOnlyThatUserGetsIn()
    {
        MountedImage.RequireFuseAndRoot();
        foreach (var tool in new[] { "/usr/bin/unshare", "/usr/bin/setpriv", "/usr/bin/fusermount3", "/usr/bin/python3" })
            if (!File.Exists(tool)) Assert.Skip($"{tool} is missing (util-linux, fuse3, python3)");
        var work = TestPaths.NewTempDirectory("admin-user");
        try
        {
            // everything the user runs must be readable by them: a copy of the CLI, the image, the manifest tool
            AdminMountTests.Run("cp", ["-a", AppContext.BaseDirectory.TrimEnd('/'), Path.Combine(work, "cli")]);
            // an image of our own: the corpus images carry trusted.* xattrs, which a user other than root cannot read
            if (!File.Exists("/usr/bin/mkfs.erofs")) Assert.Skip("mkfs.erofs is not installed (package erofs-utils)");
            var tree = Directory.CreateDirectory(Path.Combine(work, "tree")).FullName;
            Directory.CreateDirectory(Path.Combine(tree, "docs", "deep"));
            var data = new byte[300_000];
            new Random(3).NextBytes(data);
            File.WriteAllBytes(Path.Combine(tree, "data.bin"), data);
            for (int i = 0; i < 20; i++) File.WriteAllText(Path.Combine(tree, "docs", $"doc{i:00}.txt"), string.Concat(Enumerable.Repeat($"line {i}\n", 500)));
            File.WriteAllText(Path.Combine(tree, "docs", "deep", "note.txt"), "deep\n");
            File.CreateSymbolicLink(Path.Combine(tree, "link"), "docs/deep/note.txt");
            var image = Path.Combine(work, "image.erofs");
            Assert.Equal(0, AdminMountTests.Run("/usr/bin/mkfs.erofs", ["-zlz4", image, tree]).Exit);
            var expected = AdminMountTests.Cli("manifest", image);
            Assert.True(expected.Exit == 0, expected.Err);
            File.Copy(Path.Combine(TestCorpus.RequireDirectory(), "..", "tools", "erofs-manifest"), Path.Combine(work, "erofs-manifest"));
            foreach (var d in new[] { "mnt", "mnt2", "home" }) Directory.CreateDirectory(Path.Combine(work, d));
            AdminMountTests.Run("chmod", ["-R", "a+rX", work]);
            AdminMountTests.Run("chown", ["65534:65534", Path.Combine(work, "mnt"), Path.Combine(work, "mnt2"), Path.Combine(work, "home")]);
            var script = """
                set -u
                W="$1"
                dev="$(mktemp -d)"
                mount -t tmpfs -o mode=755 none "$dev" && mknod -m 666 "$dev/fuse" c 10 229 && mount --bind "$dev/fuse" /dev/fuse || exit 90
                as_user() { setpriv --reuid=65534 --regid=65534 --clear-groups env HOME="$W/home" DOTNET_CLI_HOME="$W/home" "$@"; }
                as_user dotnet "$W/cli/erofs-accel.dll" mount "$W/image.erofs" "$W/mnt" -o log="$W/home/server.log" || exit 91
                as_user python3 "$W/erofs-manifest" "$W/mnt" > "$W/home/manifest" || echo "USER-MANIFEST-FAILED"
                if ls "$W/mnt" >/dev/null 2>&1; then echo "ROOT-GOT-IN"; else echo "ROOT-KEPT-OUT"; fi
                as_user dotnet "$W/cli/erofs-accel.dll" mount "$W/image.erofs" "$W/mnt2" -o allow_other 2> "$W/home/allow_other.err"
                echo "ALLOW-OTHER-EXIT $?"
                as_user fusermount3 -u "$W/mnt2" 2>/dev/null
                as_user fusermount3 -u "$W/mnt" || echo "UNMOUNT-FAILED"
                """;
            var r = AdminMountTests.Run("unshare", ["-m", "--propagation", "private", "sh", "-c", script, "sh", work], TimeSpan.FromSeconds(240));
            Assert.True(r.Exit == 0, $"exit {r.Exit}: {r.Out} {r.Err}");
            Assert.Contains("ROOT-KEPT-OUT", r.Out);
            Assert.DoesNotContain("USER-MANIFEST-FAILED", r.Out);
            Assert.DoesNotContain("UNMOUNT-FAILED", r.Out);
            Assert.Equal(expected.Out.Split('\n').Skip(1), File.ReadAllText(Path.Combine(work, "home", "manifest")).Split('\n').Skip(1));
            var userAllowOther = File.Exists("/etc/fuse.conf") && File.ReadLines("/etc/fuse.conf").Any(l => l.Trim() == "user_allow_other");
            if (!userAllowOther)
            {
                Assert.Contains("ALLOW-OTHER-EXIT 1", r.Out);
                Assert.Contains("unless /etc/fuse.conf has a line 'user_allow_other'", File.ReadAllText(Path.Combine(work, "home", "allow_other.err")));
            }
        }
        finally
        {
            TestPaths.DeleteTree(work);
        }
    }
}
