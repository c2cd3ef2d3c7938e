namespace Erofs.Accel.Fuse;

/// <summary>
/// Attributes of one node, a subset of struct stat. <see cref="Inode"/> is the filesystem's own inode number: it is
/// what stat(2) shows and what later requests name the node by. <see cref="Mode"/> holds the type bits (S_IFMT) and
/// the permission bits.
/// </summary>
public struct NodeAttributes
{
    /// <summary>Inode number reported to the kernel (st_ino).</summary>
    public ulong Inode { get; set; }
    /// <summary>Size in bytes (st_size).</summary>
    public ulong Size { get; set; }
    /// <summary>Allocated 512-byte blocks; 0 lets the server derive it from <see cref="Size"/>.</summary>
    public ulong Blocks { get; set; }
    /// <summary>Full mode: file type and permission bits (st_mode).</summary>
    public uint Mode { get; set; }
    /// <summary>Hard link count (st_nlink).</summary>
    public uint LinkCount { get; set; }
    /// <summary>Owner's user id (st_uid).</summary>
    public uint UserId { get; set; }
    /// <summary>Owner's group id (st_gid).</summary>
    public uint GroupId { get; set; }
    /// <summary>Device number (dev_t, Linux encoding) of a character or block device node.</summary>
    public uint DeviceNumber { get; set; }
    /// <summary>Preferred I/O size; 0 means 4096.</summary>
    public uint BlockSize { get; set; }
    /// <summary>Access time, seconds since the Unix epoch.</summary>
    public long AccessTimeSeconds { get; set; }
    /// <summary>Nanoseconds part of the access time.</summary>
    public uint AccessTimeNanoseconds { get; set; }
    /// <summary>Modification time, seconds since the Unix epoch.</summary>
    public long ModificationTimeSeconds { get; set; }
    /// <summary>Nanoseconds part of the modification time.</summary>
    public uint ModificationTimeNanoseconds { get; set; }
    /// <summary>Status change time, seconds since the Unix epoch.</summary>
    public long ChangeTimeSeconds { get; set; }
    /// <summary>Nanoseconds part of the status change time.</summary>
    public uint ChangeTimeNanoseconds { get; set; }

    /// <summary>The node kind taken from the type bits of <see cref="Mode"/>.</summary>
    public readonly FileType Type => (FileType)((Mode >> 12) & 0xF);

    /// <summary>Sets all three timestamps to one instant (EROFS keeps a single time per inode).</summary>
    public void SetAllTimes(long seconds, uint nanoseconds)
    {
        AccessTimeSeconds = ModificationTimeSeconds = ChangeTimeSeconds = seconds;
        AccessTimeNanoseconds = ModificationTimeNanoseconds = ChangeTimeNanoseconds = nanoseconds;
    }
}
