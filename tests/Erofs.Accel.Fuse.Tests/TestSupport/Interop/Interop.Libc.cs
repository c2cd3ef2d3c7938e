using System.Runtime.InteropServices;

namespace Erofs.Accel.Fuse.Tests.TestSupport.Interop;

/// <summary>libc calls the tests use to look at a mount the way any program does (statx, xattrs, statvfs, signals).</summary>
internal static unsafe partial class Libc
{
    private const string LibraryName = "libc.so.6";

    public const int AT_FDCWD = -100;
    public const int AT_SYMLINK_NOFOLLOW = 0x100;
    public const uint STATX_BASIC_STATS = 0x7ff;
    public const int SIGTERM = 15;
    public const int SIGKILL = 9;
    public const int MNT_DETACH = 2;

    [LibraryImport(LibraryName, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string path, int flags);

    public const int POSIX_FADV_RANDOM = 1;

    [LibraryImport(LibraryName, EntryPoint = "posix_fadvise")]
    public static partial int PosixFadvise(int descriptor, long offset, long length, int advice);

    [LibraryImport(LibraryName, EntryPoint = "pread", SetLastError = true)]
    public static partial nint Pread(int descriptor, byte* buffer, nuint count, long offset);

    [LibraryImport(LibraryName, EntryPoint = "close")]
    public static partial int Close(int descriptor);

    /// <summary>O_DIRECT differs between architectures.</summary>
    public static int DirectFlag => RuntimeInformation.ProcessArchitecture is Architecture.Arm64 or Architecture.Arm ? 0x10000 : 0x4000;

    [LibraryImport(LibraryName, EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Statx(int directory, string path, int flags, uint mask, byte* buffer);

    [LibraryImport(LibraryName, EntryPoint = "lgetxattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint LGetXattr(string path, string name, byte* value, nuint size);

    [LibraryImport(LibraryName, EntryPoint = "llistxattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint LListXattr(string path, byte* list, nuint size);

    [LibraryImport(LibraryName, EntryPoint = "statvfs", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int StatVfs(string path, ulong* buffer);

    [LibraryImport(LibraryName, EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int processId, int signal);

    [LibraryImport(LibraryName, EntryPoint = "umount2", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Unmount2(string target, int flags);

    [LibraryImport(LibraryName, EntryPoint = "geteuid")]
    public static partial uint GetEffectiveUserId();
}
