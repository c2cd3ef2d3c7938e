using System.Runtime.InteropServices;

namespace Erofs.Accel.Interop;

/// <summary>Creating names and setting attributes relative to a directory descriptor: the *at() calls, on raw
/// byte names (names need not be UTF-8) and never following symlinks where the flags say so.</summary>
internal static unsafe partial class Libc
{
    public const uint S_IFMT = 0xF000, S_IFDIR = 0x4000, S_IFLNK = 0xA000;

    /// <summary>struct timespec.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport(LibraryName, EntryPoint = "mkdirat", SetLastError = true)]
    public static partial int MkdirAt(int dirfd, byte* path, uint mode);

    [LibraryImport(LibraryName, EntryPoint = "symlinkat", SetLastError = true)]
    public static partial int SymlinkAt(byte* target, int dirfd, byte* path);

    [LibraryImport(LibraryName, EntryPoint = "linkat", SetLastError = true)]
    public static partial int LinkAt(int olddirfd, byte* oldpath, int newdirfd, byte* newpath, int flags);

    [LibraryImport(LibraryName, EntryPoint = "mknodat", SetLastError = true)]
    public static partial int MknodAt(int dirfd, byte* path, uint mode, ulong dev);

    [LibraryImport(LibraryName, EntryPoint = "unlinkat", SetLastError = true)]
    public static partial int UnlinkAt(int dirfd, byte* path, int flags);

    [LibraryImport(LibraryName, EntryPoint = "fchownat", SetLastError = true)]
    public static partial int FchownAt(int dirfd, byte* path, uint owner, uint group, int flags);

    [LibraryImport(LibraryName, EntryPoint = "fchmodat", SetLastError = true)]
    public static partial int FchmodAt(int dirfd, byte* path, uint mode, int flags);

    [LibraryImport(LibraryName, EntryPoint = "fchmod", SetLastError = true)]
    public static partial int Fchmod(int descriptor, uint mode);

    [LibraryImport(LibraryName, EntryPoint = "fchown", SetLastError = true)]
    public static partial int Fchown(int descriptor, uint owner, uint group);

    [LibraryImport(LibraryName, EntryPoint = "utimensat", SetLastError = true)]
    public static partial int UtimensAt(int dirfd, byte* path, Timespec* times, int flags);

    [LibraryImport(LibraryName, EntryPoint = "futimens", SetLastError = true)]
    public static partial int Futimens(int descriptor, Timespec* times);

    [LibraryImport(LibraryName, EntryPoint = "fsetxattr", SetLastError = true)]
    public static partial int Fsetxattr(int descriptor, byte* name, byte* value, nint size, int flags);

    [LibraryImport(LibraryName, EntryPoint = "lsetxattr", SetLastError = true)]
    public static partial int Lsetxattr(byte* path, byte* name, byte* value, nint size, int flags);

    /// <summary>Linux dev_t from major and minor (glibc's makedev is a macro).</summary>
    public static ulong Makedev(uint major, uint minor) =>
        ((ulong)(major & 0xFFFFF000) << 32) | ((ulong)(major & 0xFFF) << 8) | ((ulong)(minor & 0xFFFFFF00) << 12) | (minor & 0xFF);
}
