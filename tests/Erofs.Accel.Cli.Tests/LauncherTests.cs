using System.Diagnostics;
using Erofs.Accel.Testing;

namespace Erofs.Accel.Cli.Tests;

/// <summary>The development launcher ./erofs-accel: a clear line without dotnet, and no lock failure for other users.</summary>
public sealed class LauncherTests
{
    private static (int Exit, string Out, string Err) Run(string program, params string[] args)
    {
        var psi = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEndAsync();
        Assert.True(p.WaitForExit(120_000), $"{program} did not finish");
        return (p.ExitCode, output.Result, error.Result);
    }

    /// <summary>A copy of the launcher in a checkout-shaped folder whose last build is this test's copy of the CLI.</summary>
    private static string FakeCheckout(string dir)
    {
        var launcher = Path.Combine(dir, "erofs-accel");
        File.Copy(Path.Combine(TestCorpus.RepoRoot, "erofs-accel"), launcher);
        var cli = Directory.CreateDirectory(Path.Combine(dir, "artifacts", "cli")).FullName;
        foreach (var f in Directory.GetFiles(AppContext.BaseDirectory))
            File.Copy(f, Path.Combine(cli, Path.GetFileName(f)));
        File.WriteAllText(Path.Combine(cli, ".build-stamp"), "");
        var src = Directory.CreateDirectory(Path.Combine(dir, "src", "Erofs.Accel.Cli")).FullName;
        File.SetLastWriteTimeUtc(Path.Combine(cli, ".build-stamp"), DateTime.UtcNow.AddMinutes(-10));
        File.WriteAllText(Path.Combine(src, "Changed.cs"), "// newer than the last build\n");
        Run("chmod", "-R", "a+rX", dir);
        Run("chmod", "755", launcher);
        return launcher;
    }

    [Fact]
    public void WithoutDotnetTheLauncherSaysWhatToInstallInOneLine()
    {
        var dir = TestPaths.NewTempDirectory("launcher-nodotnet");
        try
        {
            var launcher = FakeCheckout(dir);
            // a PATH with the tools the launcher uses and no dotnet
            var bin = Directory.CreateDirectory(Path.Combine(dir, "bin")).FullName;
            foreach (var tool in new[] { "bash", "dirname", "readlink", "find", "mkdir", "flock", "touch", "grep", "sort", "head", "id", "mv", "uname" })
            {
                var path = new[] { "/usr/bin", "/bin" }.Select(d => Path.Combine(d, tool)).FirstOrDefault(File.Exists);
                if (path is not null) File.CreateSymbolicLink(Path.Combine(bin, tool), path);
            }
            var r = Run("/usr/bin/env", "-i", $"PATH={bin}", "/bin/bash", launcher, "--version");
            Assert.Equal(1, r.Exit);
            Assert.Contains("'dotnet' (the .NET 10 SDK) is not on PATH", r.Err);
            Assert.Contains("dotnet-sdk-10.0", r.Err);
            Assert.Single(r.Err.Trim().Split('\n'));
        }
        finally
        {
            TestPaths.DeleteTree(dir);
        }
    }

    [Fact]
    public void AnotherUserRunsTheLastBuildInsteadOfFailingOnTheBuildLock()
    {
        if (Environment.UserName != "root" || !File.Exists("/usr/bin/setpriv")) Assert.Skip("needs root and setpriv to act as another user");
        var dir = TestPaths.NewTempDirectory("launcher-user");
        try
        {
            var launcher = FakeCheckout(dir);
            var r = Run("/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                "/usr/bin/env", "HOME=/tmp", "DOTNET_CLI_HOME=/tmp", launcher, "--version");
            Assert.True(r.Exit == 0, r.Err);
            Assert.StartsWith("erofs-accel ", r.Out);
            Assert.Contains("cannot rebuild", r.Err);
            Assert.DoesNotContain("Permission denied", r.Err);
        }
        finally
        {
            TestPaths.DeleteTree(dir);
        }
    }
}
