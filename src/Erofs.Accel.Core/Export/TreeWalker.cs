namespace Erofs.Accel.Core.Export;

/// <summary>One node met while walking an image: its path from the root (raw bytes, "/" for the root) and inode.</summary>
public readonly record struct TreeNode(byte[] Path, ErofsInode Inode, int Depth);

/// <summary>
/// Walks the whole tree depth-first in on-disk order, skipping "." and "..", refusing names that could escape a
/// directory ('/' inside, empty), and detecting directory cycles (a directory reached twice). Memory stays bounded
/// by the nesting depth (one name per level), not by path lengths; each node's <see cref="TreeNode.Path"/> is a new
/// array the caller may keep.
/// </summary>
public static class TreeWalker
{
    /// <summary>Deepest directory nesting accepted (corrupt images could nest without end).</summary>
    public const int MaxDepth = 4096;

    /// <summary>Every node from <paramref name="start"/> (default the root, at path <paramref name="startPath"/>, default "/") down, the start included, depth-first in on-disk order.</summary>
    public static IEnumerable<TreeNode> Walk(ErofsImage image, ErofsInode? start = null, byte[]? startPath = null)
    {
        start ??= image.Root;
        startPath ??= "/"u8.ToArray();
        using var walk = new TreeWalk(image, start, startPath, TreeLocation.OfParentOf(startPath), TreeWalkOrder.OnDisk);
        while (walk.MoveNext())
            if (walk.Kind == TreeWalk.Step.Node)
                yield return new TreeNode(walk.Path.ToArray(), walk.Inode, walk.Depth);
    }

    /// <summary>The path of <paramref name="name"/> inside directory <paramref name="parent"/> ("/" for the root).</summary>
    public static byte[] Join(byte[] parent, byte[] name)
    {
        bool root = parent.Length == 1 && parent[0] == (byte)'/';
        var path = new byte[(root ? 1 : parent.Length + 1) + name.Length];
        int at = 0;
        if (!root)
        {
            parent.CopyTo(path, 0);
            at = parent.Length;
        }
        path[at++] = (byte)'/';
        name.CopyTo(path, at);
        return path;
    }
}
