using Erofs.Accel.Interop;

namespace Erofs.Accel.Fuse.Sandbox;

/// <summary>
/// The seccomp filter of a sandboxed server: the system calls a .NET process serving /dev/fuse makes (measured with
/// strace -f on mounts under load, then widened to what the runtime, glibc and the native decoders may call: memory,
/// threads, signals, time, I/O on descriptors it holds, io_uring, Unix sockets for syslog). Everything else, among it
/// mount, umount2, execve, ptrace, bpf, the set*id calls, capset, unshare and setns, fails with EPERM and is reported
/// by the kernel's audit log (SECCOMP_FILTER_FLAG_LOG), so a denied call degrades one request instead of killing the
/// mount. clone is allowed without namespace flags; clone3, whose flags the filter cannot read, answers ENOSYS so
/// glibc falls back to clone. Only x86_64 has a table; other architectures run without the filter.
/// </summary>
internal static class SystemCallFilter
{
    private const int Errno_EPERM = 1, Errno_ENOSYS = 38;
    private const int AddressFamilyUnix = 1;

    /// <summary>CLONE_NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET: a thread or child, never a new namespace.</summary>
    private const uint NamespaceCloneFlags = 0x0002_0000 | 0x0200_0000 | 0x0400_0000 | 0x0800_0000 | 0x1000_0000 | 0x2000_0000 | 0x4000_0000;

    private const int X32SystemCallBit = 0x4000_0000;
    private const int CloneNumber = 56, Clone3Number = 435, SocketNumber = 41;

    /// <summary>Allowed x86_64 system calls, the busiest first (the filter compares in this order).</summary>
    internal static readonly (string Name, int Number)[] AllowedX86_64 =
    [
        ("read", 0), ("writev", 20), ("pread64", 17), ("futex", 202), ("write", 1), ("sched_yield", 24), ("mprotect", 10),
        ("mmap", 9), ("munmap", 11), ("madvise", 28), ("readv", 19), ("pwrite64", 18), ("preadv", 295), ("pwritev", 296),
        ("preadv2", 327), ("pwritev2", 328), ("io_uring_enter", 426), ("io_uring_setup", 425), ("io_uring_register", 427),
        ("epoll_wait", 232), ("epoll_pwait", 281), ("epoll_pwait2", 441), ("epoll_ctl", 233), ("epoll_create", 213),
        ("epoll_create1", 291), ("poll", 7), ("ppoll", 271), ("select", 23), ("pselect6", 270), ("eventfd", 284),
        ("eventfd2", 290), ("clock_gettime", 228), ("clock_getres", 229), ("clock_nanosleep", 230), ("nanosleep", 35),
        ("gettimeofday", 96), ("time", 201), ("times", 100), ("getrusage", 98), ("timer_create", 222), ("timer_settime", 223),
        ("timer_gettime", 224), ("timer_getoverrun", 225), ("timer_delete", 226), ("setitimer", 38), ("getitimer", 36),
        ("timerfd_create", 283), ("timerfd_settime", 286), ("timerfd_gettime", 287),
        ("open", 2), ("openat", 257), ("openat2", 437), ("close", 3), ("close_range", 436), ("lseek", 8), ("fstat", 5),
        ("stat", 4), ("lstat", 6), ("newfstatat", 262), ("statx", 332), ("fstatfs", 138), ("statfs", 137), ("fcntl", 72),
        ("ioctl", 16), ("flock", 73), ("fsync", 74), ("fdatasync", 75), ("fadvise64", 221), ("readahead", 187),
        ("getdents64", 217), ("readlink", 89), ("readlinkat", 267), ("access", 21), ("faccessat", 269), ("faccessat2", 439),
        ("getcwd", 79), ("dup", 32), ("dup2", 33), ("dup3", 292), ("pipe", 22), ("pipe2", 293), ("sendfile", 40), ("splice", 275),
        ("inotify_init1", 294), ("inotify_add_watch", 254), ("inotify_rm_watch", 255),
        ("brk", 12), ("mremap", 25), ("mincore", 27), ("msync", 26), ("mlock", 149), ("munlock", 150), ("mlock2", 325),
        ("membarrier", 324), ("mbind", 237), ("get_mempolicy", 239), ("set_mempolicy", 238), ("memfd_create", 319),
        ("ftruncate", 77), ("pkey_alloc", 330), ("pkey_free", 331), ("pkey_mprotect", 329),
        ("set_robust_list", 273), ("get_robust_list", 274), ("set_tid_address", 218), ("rseq", 334), ("futex_waitv", 449),
        ("gettid", 186), ("getpid", 39), ("getppid", 110), ("getpgrp", 111), ("getpgid", 121), ("getsid", 124),
        ("sched_getaffinity", 204), ("sched_setaffinity", 203), ("sched_getscheduler", 145), ("sched_setscheduler", 144),
        ("sched_getparam", 143), ("sched_setparam", 142), ("sched_get_priority_min", 147), ("sched_get_priority_max", 146),
        ("getpriority", 140), ("setpriority", 141), ("getcpu", 309),
        ("exit", 60), ("exit_group", 231), ("arch_prctl", 158), ("prctl", 157), ("restart_syscall", 219), ("wait4", 61),
        ("waitid", 247), ("pidfd_open", 434), ("pidfd_send_signal", 424),
        ("rt_sigaction", 13), ("rt_sigprocmask", 14), ("rt_sigreturn", 15), ("rt_sigpending", 127), ("rt_sigtimedwait", 128),
        ("rt_sigsuspend", 130), ("rt_sigqueueinfo", 129), ("rt_tgsigqueueinfo", 297), ("sigaltstack", 131), ("kill", 62),
        ("tgkill", 234), ("tkill", 200),
        ("connect", 42), ("sendto", 44), ("sendmsg", 46), ("recvfrom", 45), ("recvmsg", 47), ("shutdown", 48),
        ("getsockname", 51), ("getpeername", 52), ("getsockopt", 55), ("setsockopt", 54), ("accept", 43), ("accept4", 288),
        ("getuid", 102), ("geteuid", 107), ("getgid", 104), ("getegid", 108), ("getgroups", 115), ("getresuid", 118),
        ("getresgid", 120), ("capget", 125),
        ("uname", 63), ("sysinfo", 99), ("getrandom", 318), ("prlimit64", 302), ("getrlimit", 97),
    ];

    /// <summary>Whether this machine's architecture has a table.</summary>
    public static bool IsSupported => System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture == System.Runtime.InteropServices.Architecture.X64;

    /// <summary>The BPF program. Every jump is short (the 8-bit offsets of classic BPF): each test is followed by its return.</summary>
    internal static Libc.SockFilter[] BuildX86_64()
    {
        const uint deny = Libc.SECCOMP_RET_ERRNO | Errno_EPERM;
        var program = new List<Libc.SockFilter>
        {
            // a call through another ABI (i386, x32) would be numbered differently: refuse it
            Load(4 /* arch */),
            Jump(JumpIfEqual, Libc.AUDIT_ARCH_X86_64, 1, 0),
            Return(deny),
            Load(0 /* nr */),
            Jump(JumpIfGreaterOrEqual, X32SystemCallBit, 0, 1),
            Return(deny),
            Jump(JumpIfEqual, Clone3Number, 0, 1),
            Return(Libc.SECCOMP_RET_ERRNO | Errno_ENOSYS),
            Jump(JumpIfEqual, CloneNumber, 0, 4),
            Load(16 /* args[0], low half: the clone flags */),
            Jump(JumpIfAnySet, NamespaceCloneFlags, 0, 1),
            Return(deny),
            Return(Libc.SECCOMP_RET_ALLOW),
            Load(0),
            Jump(JumpIfEqual, SocketNumber, 0, 4),
            Load(16 /* args[0]: the address family */),
            Jump(JumpIfEqual, AddressFamilyUnix, 0, 1),
            Return(Libc.SECCOMP_RET_ALLOW),
            Return(deny),
            Load(0),
        };
        foreach (var (_, number) in AllowedX86_64)
        {
            program.Add(Jump(JumpIfEqual, (uint)number, 0, 1));
            program.Add(Return(Libc.SECCOMP_RET_ALLOW));
        }
        program.Add(Return(deny));
        return [.. program];
    }

    private const ushort LoadWordAbsolute = 0x20, JumpIfEqual = 0x15, JumpIfGreaterOrEqual = 0x35, JumpIfAnySet = 0x45, ReturnConstant = 0x06;

    private static Libc.SockFilter Load(uint offset) => new() { Code = LoadWordAbsolute, Operand = offset };

    private static Libc.SockFilter Jump(ushort code, uint operand, byte ifTrue, byte ifFalse) =>
        new() { Code = code, Operand = operand, JumpIfTrue = ifTrue, JumpIfFalse = ifFalse };

    private static Libc.SockFilter Return(uint action) => new() { Code = ReturnConstant, Operand = action };
}
