using System.Diagnostics;
using Erofs.Accel.Decompression.Tests.Engine.Support;

namespace Erofs.Accel.Decompression.Tests.Accelerators;

/// <summary>The top-level CMakeLists.txt configures cleanly with nothing but cmake and a C compiler.</summary>
public sealed class NativeBuildTests
{
    [Fact]
    public void ConfiguresWithoutAnyAcceleratorLibrary()
    {
        var cmake = FindOnPath("cmake");
        if (cmake is null) Assert.Skip("cmake is not installed");
        var build = Directory.CreateTempSubdirectory("erofs-accel-cmake-");
        try
        {
            var (code, output) = Run(cmake, $"-S \"{RepositoryPaths.Root}\" -B \"{build.FullName}\" " +
                "-DCMAKE_DISABLE_FIND_PACKAGE_QPL=ON -DCMAKE_DISABLE_FIND_PACKAGE_PkgConfig=ON " +
                $"-DEROFS_ACCEL_NATIVE_OUTPUT_DIR=\"{Path.Combine(build.FullName, "out")}\"");
            if (code != 0 && output.Contains("No CMAKE_C_COMPILER could be found", StringComparison.Ordinal))
                Assert.Skip("no C compiler installed");
            Assert.True(code == 0, output);
            Assert.Contains("erofs-accel native: skipping qpl", output);
            // QATzip may be installed system-wide on some machines; without it nothing is built.
            if (output.Contains("erofs-accel native: skipping qat", StringComparison.Ordinal))
                Assert.Contains("nothing to build", output);
            else
                Assert.Contains("erofs-accel native: building qat", output);
            (code, output) = Run(cmake, $"--build \"{build.FullName}\"");
            Assert.True(code == 0, output);
        }
        finally
        {
            build.Delete(recursive: true);
        }
    }

    private static (int Code, string Output) Run(string file, string arguments)
    {
        var info = new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(3))) process.Kill(entireProcessTree: true);
        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
        .Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);
}
