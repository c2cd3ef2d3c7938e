using System.Diagnostics;

namespace Erofs.Accel.Testing;

/// <summary>The manifest tool (shared/tools/erofs-manifest) run on a mounted tree, and what it must print for a corpus image.</summary>
public static class CorpusManifests
{
    /// <summary>The manifest of a directory tree; skips the test when python3 is absent.</summary>
    public static string ManifestOf(string dir, params string[] options)
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

    /// <summary>The kernel's manifest of a corpus image, with the source tree's contents where the kernel returns wrong bytes.</summary>
    public static string Expected(string name)
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
}
