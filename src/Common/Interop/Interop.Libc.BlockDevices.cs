using System.Runtime.InteropServices;

namespace Erofs.Accel.Interop;

/// <summary>What kind of file a path is and how large a block device is: statx(2), ioctl(BLKGETSIZE64), O_NONBLOCK.</summary>
internal static unsafe partial class Libc
{
    public const int O_NONBLOCK = 0x800;
    public const int F_GETFL = 3, F_SETFL = 4;
    public const int AT_EMPTY_PATH = 0x1000;
    public const uint STATX_TYPE = 0x1, STATX_MODE = 0x2, STATX_SIZE = 0x200;
    public const uint S_IFIFO = 0x1000, S_IFCHR = 0x2000, S_IFBLK = 0x6000, S_IFREG = 0x8000, S_IFSOCK = 0xC000;

    /// <summary>_IOR(0x12, 114, size_t): the size of a block device in bytes.</summary>
    public const ulong BLKGETSIZE64 = 0x80081272;

    /// <summary>struct statx: the same layout on every architecture (unlike struct stat). Only the fields used here are named.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    public struct StatxBuffer
    {
        [FieldOffset(0)] public uint Mask;
        [FieldOffset(20)] public uint UserId;
        [FieldOffset(24)] public uint GroupId;
        [FieldOffset(28)] public ushort Mode;
        [FieldOffset(40)] public ulong Size;
        [FieldOffset(128)] public uint DeviceMajor;
        [FieldOffset(132)] public uint DeviceMinor;
    }

    [LibraryImport(LibraryName, EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Statx(int dirfd, string path, int flags, uint mask, StatxBuffer* buffer);

    [LibraryImport(LibraryName, EntryPoint = "ioctl", SetLastError = true)]
    public static partial int IoctlGetSize(int descriptor, ulong request, ulong* size);
}
