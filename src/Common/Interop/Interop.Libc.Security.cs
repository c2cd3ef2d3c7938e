using System.Runtime.InteropServices;

namespace Erofs.Accel.Interop;

/// <summary>
/// Giving up privileges: identity changes (glibc applies set*id and setgroups to every thread of the process), process
/// flags through prctl(2), and seccomp(2) filters (classic BPF over struct seccomp_data).
/// </summary>
internal static unsafe partial class Libc
{
    public const int PR_SET_NO_NEW_PRIVS = 38, PR_GET_NO_NEW_PRIVS = 39, PR_GET_SECCOMP = 21;

    public const uint SECCOMP_SET_MODE_FILTER = 1;
    public const uint SECCOMP_FILTER_FLAG_TSYNC = 1, SECCOMP_FILTER_FLAG_LOG = 2;
    public const uint SECCOMP_RET_KILL_PROCESS = 0x8000_0000, SECCOMP_RET_ERRNO = 0x0005_0000, SECCOMP_RET_ALLOW = 0x7fff_0000;

    /// <summary>AUDIT_ARCH_X86_64: EM_X86_64 | __AUDIT_ARCH_64BIT | __AUDIT_ARCH_LE.</summary>
    public const uint AUDIT_ARCH_X86_64 = 0xC000_003E;

    /// <summary>System call numbers of x86_64 used to install the filter itself.</summary>
    public const long SYS_seccomp_x86_64 = 317;

    /// <summary>struct sock_filter: one classic BPF instruction.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct SockFilter
    {
        public ushort Code;
        public byte JumpIfTrue;
        public byte JumpIfFalse;
        public uint Operand;
    }

    /// <summary>struct sock_fprog: a BPF program.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct SockFilterProgram
    {
        public ushort Length;
        public SockFilter* Filter;
    }

    [LibraryImport(LibraryName, EntryPoint = "prctl", SetLastError = true)]
    public static partial int Prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);

    [LibraryImport(LibraryName, EntryPoint = "syscall", SetLastError = true)]
    public static partial long Syscall(long number, nuint arg1, nuint arg2, void* arg3);

    [LibraryImport(LibraryName, EntryPoint = "setgroups", SetLastError = true)]
    public static partial int SetGroups(nuint size, uint* groups);

    [LibraryImport(LibraryName, EntryPoint = "setresgid", SetLastError = true)]
    public static partial int SetResGid(uint real, uint effective, uint saved);

    [LibraryImport(LibraryName, EntryPoint = "setresuid", SetLastError = true)]
    public static partial int SetResUid(uint real, uint effective, uint saved);
}
