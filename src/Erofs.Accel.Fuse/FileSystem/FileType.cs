namespace Erofs.Accel.Fuse;

/// <summary>Kind of a node, numbered like the DT_* values of a directory entry (also <c>(st_mode &amp; S_IFMT) &gt;&gt; 12</c>).</summary>
public enum FileType : byte
{
    Unknown = 0,
    Fifo = 1,
    CharacterDevice = 2,
    Directory = 4,
    BlockDevice = 6,
    RegularFile = 8,
    SymbolicLink = 10,
    Socket = 12,
}
