namespace Erofs.Accel.Fuse.Protocol;

/// <summary>
/// Maps the filesystem's inode numbers to FUSE node ids and back. FUSE fixes the root at node id 1 and never uses 0,
/// so the root inode becomes 1 and every other inode <c>i</c> becomes <c>i + 2</c>: a bijection that keeps ids stable
/// for the life of the image.
/// </summary>
internal readonly struct NodeIdMap
{
    public const ulong RootNodeId = 1;

    public NodeIdMap(ulong rootInode) => RootInode = rootInode;

    public ulong RootInode { get; }

    /// <summary>The node id of an inode; false for the two inode numbers too large to shift.</summary>
    public bool TryGetNodeId(ulong inode, out ulong nodeId)
    {
        if (inode == RootInode)
        {
            nodeId = RootNodeId;
            return true;
        }
        if (inode >= ulong.MaxValue - 1)
        {
            nodeId = 0;
            return false;
        }
        nodeId = inode + 2;
        return true;
    }

    /// <summary>The inode behind a node id the kernel sent; false for ids this map never hands out.</summary>
    public bool TryGetInode(ulong nodeId, out ulong inode)
    {
        if (nodeId == RootNodeId)
        {
            inode = RootInode;
            return true;
        }
        if (nodeId < 2 || nodeId - 2 == RootInode)
        {
            inode = 0;
            return false;
        }
        inode = nodeId - 2;
        return true;
    }
}
