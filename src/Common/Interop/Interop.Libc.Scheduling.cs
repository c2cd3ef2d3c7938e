using System.Runtime.InteropServices;

namespace Erofs.Accel.Interop;

/// <summary>CPU placement of the calling thread.</summary>
internal static unsafe partial class Libc
{
    /// <summary>sched_setaffinity(2) on the calling thread (pid 0) with a mask of <paramref name="maskBytes"/> bytes.</summary>
    [LibraryImport(LibraryName, EntryPoint = "sched_setaffinity", SetLastError = true)]
    public static partial int SchedSetAffinity(int pid, nuint maskBytes, ulong* mask);

    /// <summary>The CPU the calling thread runs on now.</summary>
    [LibraryImport(LibraryName, EntryPoint = "sched_getcpu", SetLastError = true)]
    public static partial int SchedGetCpu();

    /// <summary>Binds the calling thread to one CPU; false (errno set) when that CPU is offline or not allowed.</summary>
    public static bool PinCurrentThreadTo(int cpu)
    {
        const int MaskWords = 16; // 1024 CPUs, glibc's cpu_set_t
        if ((uint)cpu >= MaskWords * 64) return false;
        var mask = stackalloc ulong[MaskWords];
        new Span<ulong>(mask, MaskWords).Clear();
        mask[cpu / 64] = 1UL << (cpu % 64);
        return SchedSetAffinity(0, MaskWords * sizeof(ulong), mask) == 0;
    }
}
