namespace Erofs.Accel.Core.Export;

/// <summary>One node met while walking an image: its path from the root (raw bytes, "/" for the root) and inode.</summary>
public readonly record struct TreeNode(byte[] Path, ErofsInode Inode, int Depth);

/// <summary>
/// Walks the whole tree depth-first in on-disk order, skipping "." and "..", refusing names that could escape a
/// directory ('/' inside, empty), and detecting directory cycles (a directory reached twice).
/// </summary>
public static class TreeWalker
{
    /// <summary>Deepest directory nesting accepted (corrupt images could nest without end).</summary>
    public const int MaxDepth = 4096;

    public static IEnumerable<TreeNode> Walk(ErofsImage image, ErofsInode? start = null, byte[]? startPath = null)
    {
        start ??= image.Root;
        startPath ??= "/"u8.ToArray();
        var visited = new HashSet<ulong> { start.Nid };
        yield return new TreeNode(startPath, start, 0);
        if (!start.IsDirectory) yield break;
        var stack = new Stack<(ErofsInode Dir, byte[] Path, int Depth, IEnumerator<DirectoryEntry> Entries)>();
        stack.Push((start, startPath, 0, image.ListDirectory(start).GetEnumerator()));
        try
        {
            while (stack.Count > 0)
            {
                var (dir, path, depth, entries) = stack.Peek();
                if (!entries.MoveNext())
                {
                    entries.Dispose();
                    stack.Pop();
                    continue;
                }
                var e = entries.Current;
                if (e.IsDot || e.IsDotDot) continue;
                if (e.Name.AsSpan().IndexOf((byte)'/') >= 0 || e.Name.AsSpan().IndexOf((byte)0) >= 0)
                    throw new ErofsCorruptImageException($"directory entry with an invalid name \"{ManifestEscaping.Escape(e.Name)}\"", null, dir.Nid);
                var childPath = Join(path, e.Name);
                var inode = image.GetInode(e.Nid);
                if (inode.IsDirectory)
                {
                    if (!visited.Add(inode.Nid))
                        throw new ErofsCorruptImageException($"directory cycle: {ManifestEscaping.Escape(childPath)} is reached twice", null, inode.Nid);
                    if (depth + 1 > MaxDepth)
                        throw new ErofsCorruptImageException($"directories nested deeper than {MaxDepth}", null, inode.Nid);
                }
                yield return new TreeNode(childPath, inode, depth + 1);
                if (inode.IsDirectory)
                    stack.Push((inode, childPath, depth + 1, image.ListDirectory(inode).GetEnumerator()));
            }
        }
        finally
        {
            while (stack.Count > 0) stack.Pop().Entries.Dispose();
        }
    }

    public static byte[] Join(byte[] parent, byte[] name)
    {
        bool root = parent.Length == 1 && parent[0] == (byte)'/';
        var p = new byte[(root ? 1 : parent.Length + 1) + name.Length];
        if (root) p[0] = (byte)'/';
        else
        {
            parent.CopyTo(p, 0);
            p[parent.Length] = (byte)'/';
        }
        name.CopyTo(p, p.Length - name.Length);
        return p;
    }
}
