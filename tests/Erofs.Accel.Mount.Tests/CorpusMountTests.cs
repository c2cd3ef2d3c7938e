using System.Diagnostics;
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

    internal static string ManifestOf(string dir, params string[] options)
    {
        var tool = Path.GetFullPath(Path.Combine(TestCorpus.RequireDirectory(), "..", "tools", "erofs-manifest"));
        if (!File.Exists("/usr/bin/python3")) Assert.Skip("python3 is not installed (scripts/install-deps.sh --test installs it)");
        var psi = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(tool);
        foreach (var o in options) psi.ArgumentList.Add(o);
        psi.ArgumentList.Add(dir);
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEndAsync();
        var err = p.StandardError.ReadToEndAsync();
        Assert.True(p.WaitForExit(180_000), "erofs-manifest timed out");
        Assert.True(p.ExitCode == 0, err.Result);
        return output.Result;
    }

    /// <summary>The kernel's manifest, with the source tree's contents where the kernel returns wrong bytes.</summary>
    internal static string Expected(string name)
    {
        var lines = File.ReadAllLines(TestCorpus.ManifestPath(name));
        if (name != "lz4hc-ztailpacking-fragments") return string.Join('\n', lines) + "\n";
        var source = File.ReadLines(Path.Combine(TestCorpus.RequireDirectory(), "source-tree-small-1001.manifest"))
            .Skip(1).Select(l => l.Split('\t')).ToDictionary(f => f[0], f => f[10]);
        for (int i = 1; i < lines.Length; i++)
        {
            var f = lines[i].Split('\t');
            if (f[1] == "f") f[10] = source[f[0]];
            lines[i] = string.Join('\t', f);
        }
        return string.Join('\n', lines) + "\n";
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
            Assert.Equal(Expected(name), ManifestOf(mount.MountPoint));
        }
        Assert.False(MountedImage.IsMounted(mountPoint), "still mounted after the server stopped");
    }
}
