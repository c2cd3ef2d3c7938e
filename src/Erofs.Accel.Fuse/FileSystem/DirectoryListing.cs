using Erofs.Accel.Fuse.Protocol;

namespace Erofs.Accel.Fuse;

/// <summary>
/// Where a filesystem puts the entries of one READDIR or READDIRPLUS answer. Add entries in directory order with the
/// cookie that continues the listing after each one, until <see cref="TryAdd"/> returns false (the answer is full).
/// For READDIRPLUS the server fetches each entry's attributes with <see cref="IReadOnlyFileSystem.GetAttributes"/>.
/// Valid only during the <see cref="IReadOnlyFileSystem.ReadDirectory"/> call that received it.
/// </summary>
public sealed class DirectoryListing
{
    /// <summary>Longest name the kernel accepts in a directory entry (FUSE_NAME_MAX).</summary>
    public const int MaxNameLength = 1024;

    private ReplyBuilder? _builder;
    private IReadOnlyFileSystem? _fileSystem;
    private NodeIdMap _nodeIds;
    private CacheTimeouts _timeouts;
    private int _capacity;
    private int _length;

    internal DirectoryListing()
    {
    }

    /// <summary>True for READDIRPLUS, where every entry also carries attributes.</summary>
    public bool WithAttributes { get; private set; }

    /// <summary>Entries added so far.</summary>
    public int Count { get; private set; }

    /// <summary>Entries dropped because their name cannot travel in FUSE (empty, too long, or holding '/' or NUL).</summary>
    public int SkippedInvalidNames { get; private set; }

    /// <summary>
    /// Adds one entry. <paramref name="nextOffset"/> is the cookie the kernel sends back to continue after this entry;
    /// it must not be 0 (0 means "from the start"). Returns false, adding nothing, when the answer is full.
    /// </summary>
    public bool TryAdd(ReadOnlySpan<byte> name, ulong inode, FileType type, long nextOffset)
    {
        var builder = _builder ?? throw new InvalidOperationException("a DirectoryListing is valid only during its ReadDirectory call");
        if (nextOffset == 0) throw new ArgumentOutOfRangeException(nameof(nextOffset), "the cookie 0 restarts a listing; use a non-zero cookie");
        if (name.IsEmpty || name.Length > MaxNameLength || name.IndexOfAny((byte)'/', (byte)0) >= 0)
        {
            SkippedInvalidNames++;
            return true;
        }

        var recordLength = WithAttributes ? FuseDirent.PlusRecordLength(name.Length) : FuseDirent.RecordLength(name.Length);
        if (_length + recordLength > _capacity) return false;

        if (WithAttributes)
        {
            ref var entry = ref builder.Append<FuseEntryOut>();
            if (!IsDotOrDotDot(name)
                && _nodeIds.TryGetNodeId(inode, out var nodeId)
                && TryGetAttributes(inode, out var attributes))
            {
                AttributeEncoder.FillEntry(ref entry, nodeId, attributes, _timeouts);
                if (type == FileType.Unknown) type = attributes.Type;
            }
        }

        ref var dirent = ref builder.Append<FuseDirent>();
        dirent.Inode = inode;
        dirent.NextOffset = (ulong)nextOffset;
        dirent.NameLength = (uint)name.Length;
        dirent.Type = (uint)type;
        builder.AppendBytes(name);
        var padding = recordLength - (WithAttributes ? FuseEntryOut.Size : 0) - FuseDirent.Size - name.Length;
        builder.AppendZeros(padding);
        _length += recordLength;
        Count++;
        return true;
    }

    internal void Attach(ReplyBuilder builder, int capacity, bool withAttributes, IReadOnlyFileSystem fileSystem, NodeIdMap nodeIds, CacheTimeouts timeouts)
    {
        _builder = builder;
        _capacity = capacity;
        _length = 0;
        WithAttributes = withAttributes;
        _fileSystem = fileSystem;
        _nodeIds = nodeIds;
        _timeouts = timeouts;
        Count = 0;
        SkippedInvalidNames = 0;
    }

    internal void Detach()
    {
        _builder = null;
        _fileSystem = null;
    }

    private bool TryGetAttributes(ulong inode, out NodeAttributes attributes)
    {
        try
        {
            return _fileSystem!.GetAttributes(inode, out attributes) == Errno.Success;
        }
        catch (Exception)
        {
            // the entry still goes out, without attributes; the kernel will LOOKUP it when needed
            attributes = default;
            return false;
        }
    }

    private static bool IsDotOrDotDot(ReadOnlySpan<byte> name) =>
        name.Length == 1 && name[0] == (byte)'.' || name.Length == 2 && name[0] == (byte)'.' && name[1] == (byte)'.';
}
