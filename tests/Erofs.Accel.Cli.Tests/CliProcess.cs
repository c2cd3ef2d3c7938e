using System.Diagnostics;

namespace Erofs.Accel.Cli.Tests;

/// <summary>
/// Runs the CLI in a child process: environment variables apply to that run only, and whatever native libraries write
/// to the process's stdout/stderr (file descriptors 1 and 2) is captured too.
/// </summary>
internal static class CliProcess
{
    public static (int Exit, string Out, string Err) Run(IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        var cli = Path.Combine(AppContext.BaseDirectory, "erofs-accel.dll");
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(cli);
        foreach (var arg in args) info.ArgumentList.Add(arg);
        foreach (var (name, value) in environment) info.Environment[name] = value;
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"erofs-accel {string.Join(' ', args)} did not finish in 5 minutes");
        }
        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}
