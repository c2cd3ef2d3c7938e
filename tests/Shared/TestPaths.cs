using System.Diagnostics;

namespace Erofs.Accel.Testing;

/// <summary>Temporary folders for tests, removed with rm -rf (trees from images hold names that are not UTF-8,
/// which .NET's own delete cannot reach, and read-only directories).</summary>
public static class TestPaths
{
    public static string NewTempDirectory(string label)
    {
        var dir = Path.Combine(Path.GetTempPath(), $"erofs-accel-{label}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        return dir;
    }

    public static void DeleteTree(string path)
    {
        if (!Directory.Exists(path) && !File.Exists(path)) return;
        var psi = new ProcessStartInfo("rm") { RedirectStandardError = true };
        psi.ArgumentList.Add("-rf");
        psi.ArgumentList.Add("--one-file-system");
        psi.ArgumentList.Add(path);
        using var p = Process.Start(psi)!;
        p.WaitForExit(60_000);
    }
}
