using System.Runtime.InteropServices;

namespace Erofs.Accel.Interop;

/// <summary>struct iovec: one piece of a buffer handed to writev(2) or readv(2).</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct IoVector
{
    public byte* Base;
    public nuint Length;
}

/// <summary>Descriptors: open, read, write, seek, fcntl, ioctl, poll, realpath.</summary>
internal static unsafe partial class Libc
{
    public const int O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2, O_CREAT = 0x40, O_EXCL = 0x80, O_TRUNC = 0x200,
        O_DIRECTORY = 0x10000, O_NOFOLLOW = 0x20000, O_CLOEXEC = 0x80000, O_PATH = 0x200000;
    /// <summary>O_DIRECT: 040000 on x86-64, 0200000 on arm64.</summary>
    public static int O_DIRECT => RuntimeInformation.ProcessArchitecture is Architecture.Arm64 or Architecture.Arm ? 0x10000 : 0x4000;
    public const int AT_FDCWD = -100, AT_SYMLINK_NOFOLLOW = 0x100, AT_REMOVEDIR = 0x200;
    public const int F_GETFD = 1, F_SETFD = 2, FD_CLOEXEC = 1;
    public const short POLLIN = 0x1;
    public const int PATH_MAX = 4096;

    /// <summary>struct pollfd.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct PollDescriptor
    {
        public int Descriptor;
        public short Events;
        public short ReturnedEvents;
    }

    [LibraryImport(LibraryName, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string path, int flags);

    [LibraryImport(LibraryName, EntryPoint = "openat", SetLastError = true)]
    public static partial int OpenAt(int dirfd, byte* path, int flags, uint mode);

    [LibraryImport(LibraryName, EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int descriptor);

    [LibraryImport(LibraryName, EntryPoint = "read", SetLastError = true)]
    public static partial nint Read(int descriptor, byte* buffer, nuint count);

    [LibraryImport(LibraryName, EntryPoint = "write", SetLastError = true)]
    public static partial nint Write(int descriptor, byte* buffer, nint count);

    [LibraryImport(LibraryName, EntryPoint = "writev", SetLastError = true)]
    public static partial nint WriteV(int descriptor, IoVector* vectors, int count);

    [LibraryImport(LibraryName, EntryPoint = "lseek", SetLastError = true)]
    public static partial long Lseek(int descriptor, long offset, int whence);

    [LibraryImport(LibraryName, EntryPoint = "ftruncate", SetLastError = true)]
    public static partial int Ftruncate(int descriptor, long length);

    [LibraryImport(LibraryName, EntryPoint = "fcntl", SetLastError = true)]
    public static partial int Fcntl(int descriptor, int command, int argument);

    [LibraryImport(LibraryName, EntryPoint = "ioctl", SetLastError = true)]
    public static partial int Ioctl(int descriptor, nuint request, void* argument);

    [LibraryImport(LibraryName, EntryPoint = "poll", SetLastError = true)]
    public static partial int Poll(PollDescriptor* descriptors, nuint count, int timeoutMilliseconds);

    [LibraryImport(LibraryName, EntryPoint = "realpath", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial byte* RealPath(string path, byte* resolved);
}
