namespace Erofs.Accel.Fuse;

/// <summary>What statfs(2) reports for the mount. A read-only filesystem has no free blocks or inodes.</summary>
public readonly record struct FileSystemStatistics(
    ulong TotalBlocks,
    uint BlockSize,
    ulong TotalInodes,
    uint MaxNameLength = 255);
