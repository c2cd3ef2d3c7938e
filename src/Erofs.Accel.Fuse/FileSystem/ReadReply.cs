using Erofs.Accel.Fuse.Protocol;

namespace Erofs.Accel.Fuse;

/// <summary>
/// Where a filesystem puts the bytes of one READ. Write into the reply buffer (<see cref="GetSpan"/> then
/// <see cref="Advance"/>, or <see cref="Write"/>), or hand over memory you already hold with <see cref="AddSegment"/>:
/// that memory goes to the kernel by writev(2) without a copy. Pieces are sent in the order they were added. At most
/// <see cref="Capacity"/> bytes; fewer means end of file. Valid only during the <see cref="IReadOnlyFileSystem.Read"/>
/// call that received it.
/// </summary>
public sealed class ReadReply
{
    private ReplyBuilder? _builder;
    private int _capacity;
    private int _length;

    internal ReadReply()
    {
    }

    /// <summary>Bytes the kernel asked for; the reply may hold fewer.</summary>
    public int Capacity => _capacity;

    /// <summary>Bytes added so far.</summary>
    public int Length => _length;

    /// <summary>Bytes that may still be added.</summary>
    public int Remaining => _capacity - _length;

    /// <summary>How many more pieces <see cref="AddSegment"/> takes (a reply holds a bounded number of pieces).</summary>
    public int SegmentsLeft => _builder?.ExternalPiecesLeft ?? 0;

    /// <summary>The free part of the reply buffer, exactly <see cref="Remaining"/> bytes long.</summary>
    public Span<byte> GetSpan() => Builder.GetFreeSpan()[..Remaining];

    /// <summary>The free part of the reply buffer as Memory, exactly <see cref="Remaining"/> bytes long (pinned).</summary>
    public Memory<byte> GetMemory() => Builder.GetFreeMemory()[..Remaining];

    /// <summary>Commits <paramref name="count"/> bytes written into the span from <see cref="GetSpan"/>.</summary>
    public void Advance(int count)
    {
        var builder = Builder;
        if ((uint)count > (uint)Remaining) throw new ArgumentOutOfRangeException(nameof(count), "more bytes than the read asked for");
        builder.Advance(count);
        _length += count;
    }

    /// <summary>Copies bytes into the reply.</summary>
    public void Write(ReadOnlySpan<byte> data)
    {
        var builder = Builder;
        if (data.Length > Remaining) throw new ArgumentOutOfRangeException(nameof(data), "more bytes than the read asked for");
        builder.AppendBytes(data);
        _length += data.Length;
    }

    /// <summary>Adds <paramref name="count"/> zero bytes (holes).</summary>
    public void WriteZeros(int count)
    {
        var builder = Builder;
        if ((uint)count > (uint)Remaining) throw new ArgumentOutOfRangeException(nameof(count), "more bytes than the read asked for");
        builder.AppendZeros(count);
        _length += count;
    }

    /// <summary>
    /// Adds memory without copying. It must stay unchanged until the reply is written, which happens right after
    /// <see cref="IReadOnlyFileSystem.Read"/> returns; <paramref name="owner"/> is disposed then (also on failure).
    /// </summary>
    public void AddSegment(ReadOnlyMemory<byte> data, IDisposable? owner = null)
    {
        if (_builder is null)
        {
            owner?.Dispose();
            throw new InvalidOperationException("a ReadReply is valid only during its Read call");
        }
        if (data.Length > Remaining)
        {
            owner?.Dispose();
            throw new ArgumentOutOfRangeException(nameof(data), "more bytes than the read asked for");
        }
        Builder.AppendExternal(data, owner);
        _length += data.Length;
    }

    /// <summary>
    /// Tells the server that bytes [<paramref name="offset"/>, <paramref name="offset"/> + <paramref name="length"/>)
    /// of this file, around the ones asked for, are at hand (decoded together with them, for instance), so later reads
    /// of them would be cheap here but still cost the kernel a round trip each. After answering, the server may read
    /// them back through <see cref="IReadOnlyFileSystem.Read"/> on a thread of its own and push them into the kernel's
    /// page cache (FUSE_NOTIFY_STORE), as a kernel filesystem fills the pages of a compressed extent together. A hint:
    /// the server rounds it out to whole pages, bounds it, and may ignore it (the mount option
    /// <see cref="FuseServerOptions.PrefillPageCache"/>).
    /// </summary>
    public void SuggestPrefill(long offset, long length)
    {
        if (_builder is null) throw new InvalidOperationException("a ReadReply is valid only during its Read call");
        if (offset < 0 || length <= 0) return;
        PrefillOffset = offset;
        PrefillLength = length;
    }

    /// <summary>
    /// True when no process asked for these bytes: the server reads them on its own to put them into the page cache
    /// (after a <see cref="SuggestPrefill"/>). A filesystem that watches access patterns should not count such a read
    /// as the reader's; suggestions made during it are ignored.
    /// </summary>
    public bool IsPrefill { get; internal set; }

    /// <summary>Most suggestions of other files one READ may leave (<see cref="SuggestPrefillOf"/>).</summary>
    public const int MaxOtherFileSuggestions = 16;

    private readonly (ulong Inode, long Offset, long Length)[] _otherFiles = new (ulong, long, long)[MaxOtherFileSuggestions];
    private int _otherFileCount;

    /// <summary>
    /// Like <see cref="SuggestPrefill"/>, for bytes of another regular file <paramref name="inode"/> that the reader is
    /// expected to want next: the next small files of a folder being read whole, one after the other, in the order it
    /// lists them (find | xargs cat, tar, cp -r). The kernel reads ahead within a file, never across files. The kernel
    /// must hold the node (a listing or LOOKUP gave it), else the store is skipped. Ignored past
    /// <see cref="MaxOtherFileSuggestions"/>.
    /// </summary>
    public void SuggestPrefillOf(ulong inode, long offset, long length)
    {
        if (_builder is null) throw new InvalidOperationException("a ReadReply is valid only during its Read call");
        if (offset < 0 || length <= 0 || _otherFileCount == _otherFiles.Length) return;
        _otherFiles[_otherFileCount++] = (inode, offset, length);
    }

    /// <summary>The other files <see cref="SuggestPrefillOf"/> named during this READ.</summary>
    internal ReadOnlySpan<(ulong Inode, long Offset, long Length)> OtherFileSuggestions => _otherFiles.AsSpan(0, _otherFileCount);

    /// <summary>Start of the range <see cref="SuggestPrefill"/> named (valid when <see cref="PrefillLength"/> is above 0).</summary>
    internal long PrefillOffset { get; private set; }

    /// <summary>Length of the range <see cref="SuggestPrefill"/> named; 0 when none was.</summary>
    internal long PrefillLength { get; private set; }

    internal void Attach(ReplyBuilder builder, int capacity)
    {
        _builder = builder;
        _capacity = capacity;
        _length = 0;
        PrefillOffset = 0;
        PrefillLength = 0;
        _otherFileCount = 0;
    }

    internal void Detach()
    {
        _builder = null;
        _capacity = 0;
        _length = 0;
        PrefillOffset = 0;
        PrefillLength = 0;
        _otherFileCount = 0;
    }

    private ReplyBuilder Builder => _builder ?? throw new InvalidOperationException("a ReadReply is valid only during its Read call");
}
