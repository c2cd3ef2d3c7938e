using System.Diagnostics;
using Erofs.Accel.Interop;

namespace Erofs.Accel.Fuse.TestHost;

/// <summary>Tries, from inside a sandboxed server, what the sandbox must refuse and what it must still allow.</summary>
internal static unsafe class SandboxProbe
{
    public static void Run(string mountPoint, TextWriter output)
    {
        output.WriteLine($"PROBE mount {Outcome(Libc.Mount("none", mountPoint, "tmpfs", 0, null))}");
        output.WriteLine($"PROBE umount2 {Outcome(Libc.Unmount2(mountPoint, Libc.MNT_DETACH))}");
        output.WriteLine($"PROBE setresuid {Outcome(Libc.SetResUid(0, 0, 0))}");
        output.WriteLine($"PROBE setgroups {Outcome(Libc.SetGroups(0, null))}");
        // allowed to any user without the filter: refused only by it
        var directory = Libc.Z(System.Text.Encoding.UTF8.GetBytes($"/tmp/erofs-accel-sandbox-probe-{Environment.ProcessId}"));
        fixed (byte* path = directory) output.WriteLine($"PROBE mkdir {Outcome(Libc.MkdirAt(Libc.AT_FDCWD, path, 0x1FF))}");
        string exec;
        try
        {
            using var child = Process.Start(new ProcessStartInfo("/bin/true") { UseShellExecute = false });
            child!.WaitForExit();
            exec = "ok";
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            exec = e.NativeErrorCode == Libc.EPERM ? "EPERM" : "errno " + e.NativeErrorCode;
        }
        output.WriteLine($"PROBE execve {exec}");
        var started = false;
        var thread = new Thread(() => started = true);
        thread.Start();
        thread.Join();
        output.WriteLine($"PROBE thread {(started ? "ok" : "failed")}");
        output.WriteLine($"PROBE read-own-status {(File.ReadAllText("/proc/self/status").Contains("Seccomp:\t2") ? "ok" : "failed")}");
    }

    private static string Outcome(int result) => result == 0 ? "ok" : Libc.LastErrno == Libc.EPERM ? "EPERM" : "errno " + Libc.LastErrno;
}
