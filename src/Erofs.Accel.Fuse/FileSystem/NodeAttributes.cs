namespace Erofs.Accel.Fuse;

/// <summary>
/// Attributes of one node, a subset of struct stat. <see cref="Inode"/> is the filesystem's own inode number: it is
/// what stat(2) shows and what later requests name the node by. <see cref="Mode"/> holds the type bits (S_IFMT) and
/// the permission bits.
/// </summary>
public struct NodeAttributes
{
    public ulong Inode { get; set; }
    public ulong Size { get; set; }
    /// <summary>Allocated 512-byte blocks; 0 lets the server derive it from <see cref="Size"/>.</summary>
    public ulong Blocks { get; set; }
    public uint Mode { get; set; }
    public uint LinkCount { get; set; }
    public uint UserId { get; set; }
    public uint GroupId { get; set; }
    /// <summary>Device number (dev_t, Linux encoding) of a character or block device node.</summary>
    public uint DeviceNumber { get; set; }
    /// <summary>Preferred I/O size; 0 means 4096.</summary>
    public uint BlockSize { get; set; }
    public long AccessTimeSeconds { get; set; }
    public uint AccessTimeNanoseconds { get; set; }
    public long ModificationTimeSeconds { get; set; }
    public uint ModificationTimeNanoseconds { get; set; }
    public long ChangeTimeSeconds { get; set; }
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
