using System.Runtime.InteropServices;

namespace Erofs.Accel.Fuse.Protocol;

/// <summary>
/// struct fuse_dirent without its name (24 bytes). A record is this header, the name, then zero padding to a multiple
/// of 8. <see cref="NextOffset"/> is the cookie that continues the listing after this entry.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseDirent
{
    public const int Size = 24;
    public ulong Inode;
    public ulong NextOffset;
    public uint NameLength;
    public uint Type;

    /// <summary>Record length of an entry with a name of <paramref name="nameLength"/> bytes.</summary>
    public static int RecordLength(int nameLength) => Align8(Size + nameLength);

    /// <summary>Record length of a READDIRPLUS entry (fuse_entry_out + fuse_dirent + name, padded).</summary>
    public static int PlusRecordLength(int nameLength) => Align8(FuseEntryOut.Size + Size + nameLength);

    private static int Align8(int value) => (value + 7) & ~7;
}
