namespace Erofs.Accel.Core.Export;

/// <summary>
/// A directory's place in a walked tree: its parent's place and its own name. Walks keep these instead of full paths,
/// so remembering where something was costs one name per directory, however deep the tree.
/// </summary>
internal sealed class TreeLocation
{
    /// <summary>The root of the image (no parent, empty name).</summary>
    public static readonly TreeLocation Root = new(null, Array.Empty<byte>());

    public TreeLocation? Parent { get; }
    public byte[] Name { get; }

    public TreeLocation(TreeLocation? parent, byte[] name)
    {
        Parent = parent;
        Name = name;
    }

    /// <summary>
    /// The location of the directory holding the node at <paramref name="path"/> ("/a/b" gives the location of "/a");
    /// null for the root itself.
    /// </summary>
    public static TreeLocation? OfParentOf(ReadOnlySpan<byte> path)
    {
        var components = new List<byte[]>();
        foreach (var range in path.Split((byte)'/'))
            if (range.End.GetOffset(path.Length) > range.Start.GetOffset(path.Length)) components.Add(path[range].ToArray());
        if (components.Count == 0) return null;
        var location = Root;
        for (int i = 0; i < components.Count - 1; i++) location = new TreeLocation(location, components[i]);
        return location;
    }

    /// <summary>The names from below the root down to this directory (empty for the root).</summary>
    public List<byte[]> Components()
    {
        var list = new List<byte[]>();
        for (var l = this; l.Parent is not null; l = l.Parent) list.Add(l.Name);
        list.Reverse();
        return list;
    }

    /// <summary>The escaped path of <paramref name="name"/> inside this directory, as manifests print it.</summary>
    public string EscapedPathOf(ReadOnlySpan<byte> name)
    {
        var sw = new StringWriter();
        WriteEscapedPathOf(sw, name);
        return sw.ToString();
    }

    /// <summary>Writes the escaped path of <paramref name="name"/> inside this directory, one component at a time.</summary>
    public void WriteEscapedPathOf(TextWriter output, ReadOnlySpan<byte> name)
    {
        foreach (var c in Components())
        {
            output.Write('/');
            output.Write(ManifestEscaping.Escape(c));
        }
        output.Write('/');
        output.Write(ManifestEscaping.Escape(name));
    }
}
