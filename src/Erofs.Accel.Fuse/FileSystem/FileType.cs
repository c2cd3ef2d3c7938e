namespace Erofs.Accel.Fuse;

/// <summary>Kind of a node, numbered like the DT_* values of a directory entry (also <c>(st_mode &amp; S_IFMT) &gt;&gt; 12</c>).</summary>
public enum FileType : byte
{
    /// <summary>Unknown type (DT_UNKNOWN).</summary>
    Unknown = 0,
    /// <summary>FIFO (DT_FIFO).</summary>
    Fifo = 1,
    /// <summary>Character device (DT_CHR).</summary>
    CharacterDevice = 2,
    /// <summary>Directory (DT_DIR).</summary>
    Directory = 4,
    /// <summary>Block device (DT_BLK).</summary>
    BlockDevice = 6,
    /// <summary>Regular file (DT_REG).</summary>
    RegularFile = 8,
    /// <summary>Symbolic link (DT_LNK).</summary>
    SymbolicLink = 10,
    /// <summary>Unix domain socket (DT_SOCK).</summary>
    Socket = 12,
}
