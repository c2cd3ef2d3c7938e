using Erofs.Accel.Core;

namespace Erofs.Accel.Mount.Tests;

/// <summary>
/// Access control on our mount equals the kernel's mount of the same image, case by case, for users who are not root:
/// POSIX ACLs (owner, named user, owning group, named group, mask, other; files and directories; default ACLs) and
/// which extended attribute names each caller may list. Images are built here with Debian's mkfs.erofs from a tree
/// whose ACLs are set with setfacl.
/// </summary>
[Collection(MountCollection.Name)]
public class AccessControlTests
{
    private const string SetFacl = "/usr/bin/setfacl";

    private static readonly Identity NamedGroupMember = new("uid 1001 in group 2001", 1001, 1001, [2001]);
    private static readonly Identity Owner = new("owner uid 1000", 1000, 1000, []);
    private static readonly Identity OwningGroupMember = new("uid 1002 in owning group 3000", 1002, 3000, []);
    private static readonly Identity[] Everyone = [Identity.Nobody, NamedGroupMember, Owner, OwningGroupMember, Identity.Root];

    /// <summary>path, mode, owner uid:gid, setfacl -m argument (null: mode bits only).</summary>
    private static readonly (string Path, string Mode, string Owner, string? Acl)[] Files =
    [
        ("plain", "0644", "0:0", null),
        ("named-user-denied", "0644", "0:0", "u:65534:---"),
        ("named-user-allowed", "0600", "0:0", "u:65534:r--"),
        ("named-group-allowed", "0600", "0:0", "g:2001:r--"),
        ("named-group-denied", "0644", "0:0", "g:2001:---"),
        ("mask-denies", "0600", "0:0", "u:65534:rwx,m::---"),
        ("owner-denied", "0644", "1000:1000", "u::---,u:4000:r--"),
        ("owning-group-denied", "0644", "0:3000", "g::---,u:4000:r--"),
        ("other-denied", "0644", "0:0", "u:4000:r--,o::---"),
        ("exec-named-user", "0700", "0:0", "u:65534:r-x,g:2001:r--"),
    ];

    /// <summary>directories: path, mode, setfacl -m argument; each holds a readable file "child".</summary>
    private static readonly (string Path, string Mode, string Acl)[] Directories =
    [
        ("dir-list-only", "0700", "u:65534:r--"),
        ("dir-search-only", "0700", "u:65534:--x"),
        ("dir-named-group", "0750", "g:2001:r-x"),
        ("dir-mask-denies", "0700", "u:65534:rwx,m::---"),
    ];

    [Fact]
    public void AclsDecideAccessExactlyAsOnTheKernelMount()
    {
        using var scratch = BuildAclImage();
        var script = ProbeScript();
        using var kernel = new KernelMount(scratch.ImagePath);
        using var ours = new MountedImage("acl-cases", TimeSpan.FromMinutes(3), scratch.ImagePath);
        foreach (var who in Everyone)
        {
            var expected = who.RunScript(kernel.MountPoint, script);
            var actual = who.RunScript(ours.MountPoint, script);
            Assert.True(expected == actual, $"as {who}:\n{Difference(expected, actual)}");
        }

        // and the cases mean what they say (the kernel agrees with POSIX here, so do we)
        var nobody = Identity.Nobody.RunScript(ours.MountPoint, script);
        Assert.Contains("named-user-allowed read ok", nobody);
        Assert.Contains("named-user-denied read Permission denied", nobody);
        Assert.Contains("mask-denies read Permission denied", nobody);
        Assert.Contains("exec-named-user exec ok", nobody);
        Assert.Contains("dir-list-only list ok", nobody);
        Assert.Contains("dir-list-only search Permission denied", nobody);
        Assert.Contains("dir-search-only search ok", nobody);
        Assert.Contains("dir-search-only list Permission denied", nobody);
        var member = NamedGroupMember.RunScript(ours.MountPoint, script);
        Assert.Contains("named-group-allowed read ok", member);
        Assert.Contains("named-group-denied read Permission denied", member);
        Assert.Contains("dir-named-group search ok", member);
        Assert.Contains("owner-denied read Permission denied", Owner.RunScript(ours.MountPoint, script));
        Assert.Contains("owning-group-denied read Permission denied", OwningGroupMember.RunScript(ours.MountPoint, script));
    }

    [Fact]
    public void AclsAndDefaultAclsReadBackAsOnTheKernelMount()
    {
        using var scratch = BuildAclImage();
        // what getfacl shows (access and default ACLs) and the raw system.posix_acl_* values, every path
        const string script = "getfacl -R -p . 2>&1; getfattr -R -h -e hex -n system.posix_acl_access . 2>&1; getfattr -R -h -e hex -n system.posix_acl_default . 2>&1";
        using var kernel = new KernelMount(scratch.ImagePath);
        using var ours = new MountedImage("acl-readback", TimeSpan.FromMinutes(3), scratch.ImagePath);
        foreach (var who in new[] { Identity.Root, Identity.Nobody })
        {
            var expected = who.RunScript(kernel.MountPoint, script);
            var actual = who.RunScript(ours.MountPoint, script);
            Assert.True(expected == actual, $"as {who}:\n{Difference(expected, actual)}");
        }
        var listing = Identity.Root.RunScript(ours.MountPoint, "getfacl -n -p dir-default dir-default/inherited");
        Assert.Contains("default:user:65534:rwx", listing);
        Assert.Contains("default:group:2001:r-x", listing);
        // created in the source tree after the default ACL was set: the inherited entries were stored with it
        Assert.Contains("user:65534:rwx", listing[listing.IndexOf("# file: dir-default/inherited", StringComparison.Ordinal)..]);
    }

    [Fact]
    public void ExtendedAttributeNamesAreListedAsTheKernelListsThem()
    {
        using var scratch = new ScratchImage("xattr-visibility");
        var file = scratch.PathOf("xattrs");
        File.WriteAllText(file, "x");
        HostTools.Chmod(file, "0644");
        foreach (var (name, value) in new[] { ("trusted.secret", "t"), ("trusted.other", "o"), ("security.label", "s"), ("user.note", "u") })
            HostTools.Check("/usr/bin/setfattr", "-n", name, "-v", value, file);
        HostTools.Check(SetFacl, "-m", "u:65534:r--", file);
        var dir = scratch.PathOf("dir");
        Directory.CreateDirectory(dir);
        HostTools.Check("/usr/bin/setfattr", "-n", "trusted.dir", "-v", "d", dir);
        scratch.Build();

        const string script = "getfattr -R -h -d -m - -e hex . 2>&1; getfattr -h -n trusted.secret xattrs 2>&1; getfattr -h -n security.label xattrs 2>&1;"
            + " getfattr -h -n user.note xattrs 2>&1; echo listed: $(getfattr -h -m - --only-values xattrs 2>/dev/null | wc -c)";
        using var kernel = new KernelMount(scratch.ImagePath);
        using var ours = new MountedImage("xattr-visibility", TimeSpan.FromMinutes(3), scratch.ImagePath);
        foreach (var who in new[] { Identity.Root, Identity.RootWithoutSysAdmin, Identity.Nobody, NamedGroupMember })
        {
            var expected = who.RunScript(kernel.MountPoint, script);
            var actual = who.RunScript(ours.MountPoint, script);
            Assert.True(expected == actual, $"as {who}:\n{Difference(expected, actual)}");
        }
        Assert.Contains("trusted.secret", Identity.Root.RunScript(ours.MountPoint, script));
        Assert.DoesNotContain("trusted.secret=", Identity.Nobody.RunScript(ours.MountPoint, script));
        Assert.DoesNotContain("trusted.secret=", Identity.RootWithoutSysAdmin.RunScript(ours.MountPoint, script));
        Assert.Contains("security.label=", Identity.Nobody.RunScript(ours.MountPoint, script));
    }

    /// <summary>The ACL tree, built into an image whose ACL xattrs are checked to be there.</summary>
    private static ScratchImage BuildAclImage()
    {
        MountedImage.RequireFuseAndRoot();
        HostTools.Require(SetFacl, "acl");
        var scratch = new ScratchImage("acl");
        try
        {
            foreach (var (path, mode, owner, acl) in Files)
            {
                var full = scratch.PathOf(path);
                File.WriteAllText(full, path.StartsWith("exec", StringComparison.Ordinal) ? "#!/bin/sh\nexit 0\n" : "content of " + path + "\n");
                HostTools.Check("/usr/bin/chown", owner, full);
                HostTools.Chmod(full, mode);
                if (acl is not null) HostTools.Check(SetFacl, "-m", acl, full);
            }
            foreach (var (path, mode, acl) in Directories)
            {
                var full = scratch.PathOf(path);
                Directory.CreateDirectory(full);
                File.WriteAllText(Path.Combine(full, "child"), "child\n");
                HostTools.Chmod(full, mode);
                HostTools.Check(SetFacl, "-m", acl, full);
            }
            var withDefault = scratch.PathOf("dir-default");
            Directory.CreateDirectory(withDefault);
            HostTools.Check(SetFacl, "-m", "u:65534:r-x", withDefault);
            HostTools.Check(SetFacl, "-d", "-m", "u:65534:rwx,g:2001:r-x,m::rwx", withDefault);
            File.WriteAllText(Path.Combine(withDefault, "inherited"), "inherited\n");
            File.WriteAllText(Path.Combine(withDefault, "child"), "child\n");
            scratch.Build();

            // the image really carries them (mkfs.erofs stores system.posix_acl_* under their own prefix indexes)
            using var image = ErofsImage.Open(scratch.ImagePath);
            foreach (var (path, _, _, acl) in Files)
                Assert.Equal(acl is not null, image.GetXattr(image.Resolve("/" + path), "system.posix_acl_access") is not null);
            Assert.NotNull(image.GetXattr(image.Resolve("/dir-default"), "system.posix_acl_default"));
            Assert.NotNull(image.GetXattr(image.Resolve("/dir-default/inherited"), "system.posix_acl_access"));
            return scratch;
        }
        catch
        {
            scratch.Dispose();
            throw;
        }
    }

    /// <summary>
    /// One line per path and operation: "ok" or the error text, with paths relative to the mount so both mounts print
    /// the same. Files: read, exec (the scripts), access(2) for r/w/x; directories: list, search, access(2).
    /// </summary>
    private static string ProbeScript()
    {
        var lines = new List<string>
        {
            "probe() { local label=\"$1\"; shift; local err; if err=$(\"$@\" 2>&1 >/dev/null); then echo \"$label ok\"; else echo \"$label ${err##*: }\"; fi; }",
            "access() { for m in r w x; do if test -$m \"$1\"; then echo \"$1 access-$m yes\"; else echo \"$1 access-$m no\"; fi; done; }",
        };
        foreach (var (path, _, _, _) in Files)
        {
            lines.Add($"probe '{path} read' head -c1 -- '{path}'");
            if (path.StartsWith("exec", StringComparison.Ordinal)) lines.Add($"probe '{path} exec' './{path}'");
            lines.Add($"access '{path}'");
        }
        foreach (var path in Directories.Select(d => d.Path).Append("dir-default"))
        {
            lines.Add($"probe '{path} list' ls -- '{path}'");
            lines.Add($"probe '{path} search' stat -c %s -- '{path}/child'");
            lines.Add($"probe '{path} read-child' head -c1 -- '{path}/child'");
            lines.Add($"access '{path}'");
        }
        lines.Add("probe 'dir-default/inherited read' head -c1 -- dir-default/inherited");
        return string.Join('\n', lines);
    }

    private static string Difference(string expected, string actual)
    {
        var e = expected.Split('\n');
        var a = actual.Split('\n');
        var lines = new List<string>();
        for (int i = 0; i < Math.Max(e.Length, a.Length); i++)
        {
            var x = i < e.Length ? e[i] : "";
            var y = i < a.Length ? a[i] : "";
            if (x != y) lines.Add($"  kernel: {x}\n  ours:   {y}");
        }
        return string.Join('\n', lines.Take(20));
    }
}
