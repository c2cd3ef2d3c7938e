using System.Runtime.InteropServices;

namespace Erofs.Accel.Interop;

/// <summary>statx(2): file status with one layout on every architecture (struct stat differs between them); statfs(2).</summary>
internal static unsafe partial class Libc
{
    public const int ENOTCONN = 107;
    public const int AT_STATX_DONT_SYNC = 0x4000;
    public const uint STATX_BASIC_STATS = 0x7FF;

    /// <summary>struct statx (256 bytes): the fields used here, at their kernel offsets.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    public struct FileStatus
    {
        [FieldOffset(0)] public uint Mask;
        [FieldOffset(16)] public uint LinkCount;
        [FieldOffset(20)] public uint UserId;
        [FieldOffset(24)] public uint GroupId;
        [FieldOffset(28)] public ushort Mode;
        [FieldOffset(32)] public ulong Inode;
        [FieldOffset(40)] public ulong Size;
        [FieldOffset(136)] public uint DeviceMajor;
        [FieldOffset(140)] public uint DeviceMinor;
    }

    [LibraryImport(LibraryName, EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Statx(int dirfd, string path, int flags, uint mask, FileStatus* status);

    /// <summary>Status of <paramref name="path"/> (following links unless <paramref name="flags"/> say otherwise); 0 or an errno.</summary>
    public static int TryGetFileStatus(string path, out FileStatus status, int flags = 0)
    {
        FileStatus s;
        var result = Statx(AT_FDCWD, path, flags | AT_STATX_DONT_SYNC, STATX_BASIC_STATS, &s);
        status = s;
        return result == 0 ? 0 : LastErrno;
    }
}
