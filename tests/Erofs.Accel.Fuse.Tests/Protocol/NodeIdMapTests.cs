using Erofs.Accel.Fuse.Protocol;

namespace Erofs.Accel.Fuse.Tests.Protocol;

public sealed class NodeIdMapTests
{
    [Theory]
    [InlineData(0UL)]
    [InlineData(1UL)]
    [InlineData(36UL)]
    [InlineData(ulong.MaxValue - 5)]
    public void RootIsNodeOneAndEveryInodeRoundTrips(ulong root)
    {
        var map = new NodeIdMap(root);
        Assert.True(map.TryGetNodeId(root, out var rootNode));
        Assert.Equal(1UL, rootNode);
        var seen = new HashSet<ulong> { rootNode };
        foreach (var inode in new ulong[] { 0, 1, 2, 3, 36, 1000, ulong.MaxValue - 5, ulong.MaxValue - 2 })
        {
            if (inode == root) continue;
            Assert.True(map.TryGetNodeId(inode, out var node));
            Assert.NotEqual(0UL, node);
            Assert.True(seen.Add(node), $"node id {node} handed out twice");
            Assert.True(map.TryGetInode(node, out var back));
            Assert.Equal(inode, back);
        }
    }

    [Fact]
    public void UnusedNodeIdsAreRejected()
    {
        var map = new NodeIdMap(36);
        Assert.False(map.TryGetInode(0, out _));
        Assert.False(map.TryGetInode(38, out _)); // would be the root's shifted id
        Assert.False(map.TryGetNodeId(ulong.MaxValue, out _));
        Assert.False(map.TryGetNodeId(ulong.MaxValue - 1, out _));
    }
}
