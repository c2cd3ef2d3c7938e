using System.Runtime.InteropServices;
using Erofs.Accel.Fuse.Protocol;

namespace Erofs.Accel.Fuse.Transport.Interop;

/// <summary>The few glibc calls the FUSE transport needs: /dev/fuse I/O, mount(2)/umount2(2) and fd passing.</summary>
internal static unsafe partial class Libc
{
    private const string LibraryName = "libc.so.6";

    public const int O_RDWR = 0x2;
    public const int O_CLOEXEC = 0x80000;
    public const ulong MS_RDONLY = 0x1;
    public const ulong MS_NOSUID = 0x2;
    public const ulong MS_NODEV = 0x4;
    public const int MNT_FORCE = 0x1;
    public const int MNT_DETACH = 0x2;
    public const int UMOUNT_NOFOLLOW = 0x8;
    public const int AF_UNIX = 1;
    public const int SOCK_STREAM = 1;
    public const int SOCK_CLOEXEC = 0x80000;
    public const int SOL_SOCKET = 1;
    public const int SCM_RIGHTS = 1;
    public const int MSG_CMSG_CLOEXEC = 0x40000000;
    public const int F_GETFD = 1;
    public const int F_SETFD = 2;
    public const int FD_CLOEXEC = 1;
    public const short POLLIN = 0x1;
    public const int PATH_MAX = 4096;

    /// <summary>struct msghdr (x86_64 and aarch64 layout).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct MessageHeader
    {
        public void* Name;
        public uint NameLength;
        public IoVector* IoVectors;
        public nuint IoVectorCount;
        public void* Control;
        public nuint ControlLength;
        public int Flags;
    }

    /// <summary>struct cmsghdr without its data.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct ControlMessageHeader
    {
        public nuint Length;
        public int Level;
        public int Type;
    }

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

    [LibraryImport(LibraryName, EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int descriptor);

    [LibraryImport(LibraryName, EntryPoint = "read", SetLastError = true)]
    public static partial nint Read(int descriptor, byte* buffer, nuint count);

    [LibraryImport(LibraryName, EntryPoint = "writev", SetLastError = true)]
    public static partial nint WriteV(int descriptor, IoVector* vectors, int count);

    [LibraryImport(LibraryName, EntryPoint = "mount", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Mount(string source, string target, string fileSystemType, ulong flags, string? data);

    [LibraryImport(LibraryName, EntryPoint = "umount2", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Unmount2(string target, int flags);

    [LibraryImport(LibraryName, EntryPoint = "socketpair", SetLastError = true)]
    public static partial int SocketPair(int domain, int type, int protocol, int* descriptors);

    [LibraryImport(LibraryName, EntryPoint = "recvmsg", SetLastError = true)]
    public static partial nint ReceiveMessage(int descriptor, MessageHeader* message, int flags);

    [LibraryImport(LibraryName, EntryPoint = "fcntl", SetLastError = true)]
    public static partial int Fcntl(int descriptor, int command, int argument);

    [LibraryImport(LibraryName, EntryPoint = "poll", SetLastError = true)]
    public static partial int Poll(PollDescriptor* descriptors, nuint count, int timeoutMilliseconds);

    [LibraryImport(LibraryName, EntryPoint = "realpath", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial byte* RealPath(string path, byte* resolved);

    [LibraryImport(LibraryName, EntryPoint = "getuid")]
    public static partial uint GetUserId();

    [LibraryImport(LibraryName, EntryPoint = "geteuid")]
    public static partial uint GetEffectiveUserId();

    [LibraryImport(LibraryName, EntryPoint = "getgid")]
    public static partial uint GetGroupId();

    /// <summary>errno of the last failed call on this thread.</summary>
    public static Errno LastError => (Errno)Marshal.GetLastPInvokeError();

    /// <summary>The kernel's text for an errno, e.g. "Device or resource busy".</summary>
    public static string Describe(Errno errno) => Marshal.GetPInvokeErrorMessage((int)errno);
}
