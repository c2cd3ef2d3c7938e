using Erofs.Accel.Interop;

namespace Erofs.Accel.Core.Export;

/// <summary>How <see cref="TreeExtractor"/> writes a tree.</summary>
public sealed class ExtractOptions
{
    /// <summary>Extract into a non-empty directory, replacing files (never directories) that are in the way.</summary>
    public bool Force { get; init; }

    /// <summary>Restore owners (needs root; default: when running as root).</summary>
    public bool RestoreOwners { get; init; } = Libc.GetEffectiveUserId() == 0;

    /// <summary>
    /// Files whose contents are read, decoded and written at the same time (the tree itself is walked in one thread).
    /// Default: one per processor, at most 8; 1 writes each file before moving on.
    /// </summary>
    public int FileWriters { get; init; } = Math.Clamp(Environment.ProcessorCount, 1, 8);

    /// <summary>Receives one line per problem that did not stop the extraction (a permission, an xattr).</summary>
    public Action<string>? Warning { get; init; }
}

/// <summary>What an extraction created.</summary>
public sealed class ExtractSummary
{
    public long Directories { get; internal set; }
    public long Files { get; internal set; }
    public long Symlinks { get; internal set; }
    public long Hardlinks { get; internal set; }
    public long SpecialFiles { get; internal set; }
    public long Bytes { get; internal set; }
    public long Warnings { get; internal set; }
}
