using System.Buffers.Binary;
using Erofs.Accel.Fuse.Tests.TestSupport.Interop;

namespace Erofs.Accel.Fuse.Tests.TestSupport;

/// <summary>What statx(2) reports for a path (without following a final symlink).</summary>
internal readonly record struct FileStatus(
    ulong Inode, ulong Size, ulong Blocks, uint Mode, uint LinkCount, uint UserId, uint GroupId,
    uint DeviceMajor, uint DeviceMinor, uint RdevMajor, uint RdevMinor, long ModificationSeconds, uint ModificationNanoseconds)
{
    public static unsafe FileStatus Of(string path)
    {
        var buffer = stackalloc byte[256];
        if (Libc.Statx(Libc.AT_FDCWD, path, Libc.AT_SYMLINK_NOFOLLOW, Libc.STATX_BASIC_STATS, buffer) != 0)
            throw new IOException($"statx {path}: errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()}");
        var s = new ReadOnlySpan<byte>(buffer, 256);
        return new FileStatus(
            Inode: BinaryPrimitives.ReadUInt64LittleEndian(s[32..]),
            Size: BinaryPrimitives.ReadUInt64LittleEndian(s[40..]),
            Blocks: BinaryPrimitives.ReadUInt64LittleEndian(s[48..]),
            Mode: BinaryPrimitives.ReadUInt16LittleEndian(s[28..]),
            LinkCount: BinaryPrimitives.ReadUInt32LittleEndian(s[16..]),
            UserId: BinaryPrimitives.ReadUInt32LittleEndian(s[20..]),
            GroupId: BinaryPrimitives.ReadUInt32LittleEndian(s[24..]),
            DeviceMajor: BinaryPrimitives.ReadUInt32LittleEndian(s[136..]),
            DeviceMinor: BinaryPrimitives.ReadUInt32LittleEndian(s[140..]),
            RdevMajor: BinaryPrimitives.ReadUInt32LittleEndian(s[128..]),
            RdevMinor: BinaryPrimitives.ReadUInt32LittleEndian(s[132..]),
            ModificationSeconds: BinaryPrimitives.ReadInt64LittleEndian(s[112..]),
            ModificationNanoseconds: BinaryPrimitives.ReadUInt32LittleEndian(s[120..]));
    }
}
