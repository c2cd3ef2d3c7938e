using System.Globalization;
using Erofs.Accel.Interop;

namespace Erofs.Accel.Fuse.Sandbox;

/// <summary>
/// Enters the sandbox for the whole process. Capabilities are per thread in Linux and a .NET process has threads it
/// does not own (GC, finalizer, thread pool, signal handling), so capabilities are not dropped with capset(2), which
/// reaches only the calling thread: the identity change does it, because glibc applies setgroups, setresgid and
/// setresuid to every thread, and the kernel clears all capabilities when no user id is 0 any more. no_new_privs and
/// the seccomp filter are set with SECCOMP_FILTER_FLAG_TSYNC, which applies both to every thread. Afterwards every
/// thread in /proc/self/task is checked. Throws <see cref="FuseMountException"/> with a one-line reason.
/// </summary>
internal static unsafe class ProcessSandbox
{
    /// <summary>Applies <paramref name="settings"/>; returns a one-line description of what is now in force.</summary>
    public static string Enter(SandboxSettings settings)
    {
        bool wasRoot = Libc.GetEffectiveUserId() == 0 || Libc.GetUserId() == 0;
        if (wasRoot)
        {
            if (settings.UserId == 0) throw new FuseMountException("sandbox: the sandbox user must not be root");
            if (Libc.SetGroups(0, null) != 0) throw Failure("setgroups");
            if (Libc.SetResGid(settings.GroupId, settings.GroupId, settings.GroupId) != 0) throw Failure("setresgid");
            if (Libc.SetResUid(settings.UserId, settings.UserId, settings.UserId) != 0) throw Failure("setresuid");
        }
        if (Libc.Prctl(Libc.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) throw Failure("prctl(PR_SET_NO_NEW_PRIVS)");

        string filter;
        if (SystemCallFilter.IsSupported)
        {
            var program = SystemCallFilter.BuildX86_64();
            fixed (Libc.SockFilter* instructions = program)
            {
                var fprog = new Libc.SockFilterProgram { Length = (ushort)program.Length, Filter = instructions };
                long result = Libc.Syscall(Libc.SYS_seccomp_x86_64, Libc.SECCOMP_SET_MODE_FILTER,
                    Libc.SECCOMP_FILTER_FLAG_TSYNC | Libc.SECCOMP_FILTER_FLAG_LOG, &fprog);
                if (result < 0) throw Failure("seccomp(SECCOMP_SET_MODE_FILTER)");
                // TSYNC answers with the id of a thread it could not synchronise
                if (result > 0) throw new FuseMountException($"sandbox: seccomp could not reach thread {result}");
            }
            filter = $"seccomp filter allowing {SystemCallFilter.AllowedX86_64.Length + 2} system calls (others EPERM, in the audit log)";
        }
        else
        {
            filter = $"no seccomp filter (no system call table for {System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture})";
        }

        var problem = CheckEveryThread(requireSeccomp: SystemCallFilter.IsSupported);
        if (problem is not null) throw new FuseMountException("sandbox: " + problem);
        var identity = wasRoot ? $"uid {settings.UserId}, gid {settings.GroupId}, no groups" : $"uid {Libc.GetUserId()}";
        return $"{identity}, no capabilities, no_new_privs, {filter}";
    }

    /// <summary>Null when every thread of this process has no capabilities, no_new_privs and (if asked) a filter.</summary>
    internal static string? CheckEveryThread(bool requireSeccomp)
    {
        foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
        {
            string status;
            try
            {
                status = File.ReadAllText(Path.Combine(task, "status"));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue; // the thread ended meanwhile
            }
            var thread = Path.GetFileName(task);
            foreach (var field in new[] { "CapPrm", "CapEff", "CapAmb" })
            {
                var value = Field(status, field);
                if (!ulong.TryParse(value, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var mask) || mask != 0)
                    return $"thread {thread} still has capabilities ({field} {value})";
            }
            if (Field(status, "NoNewPrivs") != "1") return $"thread {thread} lacks no_new_privs";
            if (requireSeccomp && Field(status, "Seccomp") != "2") return $"thread {thread} has no seccomp filter";
        }
        return null;
    }

    private static string? Field(string status, string name)
    {
        foreach (var line in status.AsSpan().EnumerateLines())
            if (line.StartsWith(name) && line.Length > name.Length && line[name.Length] == ':')
                return line[(name.Length + 1)..].Trim().ToString();
        return null;
    }

    private static FuseMountException Failure(string call)
    {
        var errno = Libc.LastError;
        return new FuseMountException($"sandbox: {call} failed: {Libc.Describe(errno)}", errno);
    }
}
