using System.Runtime.InteropServices;

namespace Erofs.Accel.Interop;

/// <summary>mount(2), umount2(2) and statfs(2).</summary>
internal static unsafe partial class Libc
{
    public const ulong MS_RDONLY = 0x1, MS_NOSUID = 0x2, MS_NODEV = 0x4, MS_NOEXEC = 0x8;
    public const int MNT_FORCE = 0x1, MNT_DETACH = 0x2, UMOUNT_NOFOLLOW = 0x8;

    [LibraryImport(LibraryName, EntryPoint = "mount", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Mount(string source, string target, string fileSystemType, ulong flags, string? data);

    /// <summary>Room for struct statfs (120 bytes on x86_64 and aarch64).</summary>
    public const int StatFsBufferSize = 256;

    /// <summary>statfs(2): on FUSE it always reaches the server (never answered from a cache), so it tells a live
    /// mount from one whose server is gone (ENOTCONN).</summary>
    [LibraryImport(LibraryName, EntryPoint = "statfs", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int StatFs(string path, byte* buffer);

    [LibraryImport(LibraryName, EntryPoint = "umount2", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Unmount2(string target, int flags);
}
