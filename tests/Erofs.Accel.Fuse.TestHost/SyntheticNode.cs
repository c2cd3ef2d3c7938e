using Erofs.Accel.Fuse;

namespace Erofs.Accel.Fuse.TestHost;

/// <summary>How a synthetic file hands its bytes to the server, so every path of <see cref="ReadReply"/> is exercised.</summary>
public enum ReadStyle
{
    /// <summary>Decode straight into the reply buffer (GetSpan/Advance).</summary>
    IntoBuffer,
    /// <summary>Hand over pooled arrays as zero-copy segments.</summary>
    Segments,
    /// <summary>Alternate small copies and segments.</summary>
    Mixed,
    /// <summary>Throw an unexpected exception (the server must answer EIO and live on).</summary>
    Throws,
    /// <summary>Answer with an errno through FileSystemErrorException.</summary>
    FailsWithErrno,
}

/// <summary>One node of the synthetic tree.</summary>
public sealed class SyntheticNode
{
    private readonly List<(byte[] Name, SyntheticNode Node)> _entries = new();
    private readonly Dictionary<string, SyntheticNode> _byName = new(StringComparer.Ordinal);

    public SyntheticNode(ulong inode, uint mode)
    {
        Inode = inode;
        Mode = mode;
    }

    public ulong Inode { get; }

    public uint Mode { get; }

    public long Size { get; set; }

    public uint LinkCount { get; set; } = 1;

    public uint DeviceNumber { get; set; }

    public long ModificationTime { get; set; } = 1_700_000_000;

    public uint ModificationTimeNanoseconds { get; set; } = 123_456_789;

    public byte[]? LinkTarget { get; set; }

    public ReadStyle ReadStyle { get; set; }

    /// <summary>
    /// When above 0, every read suggests to the server the aligned block of this many bytes it falls in
    /// (<see cref="ReadReply.SuggestPrefill"/>), as a compressed filesystem does with the extent it decoded.
    /// </summary>
    public long PrefillBlock { get; set; }

    public SyntheticNode? Parent { get; set; }

    public SortedDictionary<string, byte[]> ExtendedAttributes { get; } = new(StringComparer.Ordinal);

    public FileType Type => (FileType)((Mode >> 12) & 0xF);

    public bool IsDirectory => Type == FileType.Directory;

    /// <summary>Children in listing order (insertion order).</summary>
    public IReadOnlyList<(byte[] Name, SyntheticNode Node)> Entries => _entries;

    public SyntheticNode? Find(string name) => _byName.GetValueOrDefault(name);

    public void Add(string name, SyntheticNode child)
    {
        _entries.Add((System.Text.Encoding.UTF8.GetBytes(name), child));
        _byName.Add(name, child);
        if (child.IsDirectory) child.Parent = this;
    }
}
