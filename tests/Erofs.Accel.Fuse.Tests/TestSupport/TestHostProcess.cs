using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace Erofs.Accel.Fuse.Tests.TestSupport;

/// <summary>Runs Erofs.Accel.Fuse.TestHost in a child process and waits for its READY line.</summary>
internal sealed class TestHostProcess : IDisposable
{
    private readonly StringBuilder _stderr = new();
    private readonly List<string> _stdout = [];
    private readonly TaskCompletionSource<string> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TestHostProcess(string mountPoint, params string[] extraArguments)
    {
        var start = new ProcessStartInfo(DotnetHost())
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Erofs.Accel.Fuse.TestHost.dll"));
        start.ArgumentList.Add(mountPoint);
        foreach (var argument in extraArguments) start.ArgumentList.Add(argument);
        Process = new Process { StartInfo = start };
        Process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (_stdout) _stdout.Add(e.Data);
            if (e.Data.StartsWith("READY ", StringComparison.Ordinal)) _ready.TrySetResult(e.Data[6..]);
        };
        Process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (_stderr) _stderr.AppendLine(e.Data);
        };
        Process.Exited += (_, _) => _ready.TrySetException(new InvalidOperationException("test host exited before READY: " + StandardError));
        Process.EnableRaisingEvents = true;
        Process.Start();
        Process.BeginOutputReadLine();
        Process.BeginErrorReadLine();
    }

    public Process Process { get; }

    /// <summary>Lines the host printed on standard output so far.</summary>
    public IReadOnlyList<string> OutputLines
    {
        get
        {
            lock (_stdout) return [.. _stdout];
        }
    }

    public string StandardError
    {
        get
        {
            lock (_stderr) return _stderr.ToString();
        }
    }

    public void WaitUntilReady(TimeSpan timeout)
    {
        if (!_ready.Task.Wait(timeout)) throw new TimeoutException("test host not ready: " + StandardError);
    }

    /// <summary>Waits for exit, then for the redirected output to drain.</summary>
    public bool WaitForExit(TimeSpan timeout)
    {
        if (!Process.WaitForExit(timeout)) return false;
        Process.WaitForExit();
        return true;
    }

    public void Dispose()
    {
        try
        {
            if (!Process.HasExited)
            {
                Process.Kill(entireProcessTree: true);
                Process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
        }
        Process.Dispose();
    }

    private static string DotnetHost()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(fromEnvironment) && File.Exists(fromEnvironment)) return fromEnvironment;
        var runtime = RuntimeEnvironment.GetRuntimeDirectory();
        var candidate = Path.GetFullPath(Path.Combine(runtime, "..", "..", "..", "dotnet"));
        return File.Exists(candidate) ? candidate : "dotnet";
    }
}
