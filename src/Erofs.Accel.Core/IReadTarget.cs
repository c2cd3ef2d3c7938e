namespace Erofs.Accel.Core;

/// <summary>
/// Where <see cref="ErofsImage.Read{TTarget}"/> puts the bytes of one read, in file order: bytes the reader writes
/// itself go into <see cref="Buffer"/> and are committed with <see cref="Advance"/>; pieces of decoded pclusters the
/// image already holds may instead be handed over without a copy with <see cref="AddShared"/> (the FUSE adapter
/// passes them to the kernel by writev). Implement it as a struct (or ref struct) so the read path is specialised
/// for it and nothing is boxed.
/// </summary>
public interface IReadTarget
{
    /// <summary>
    /// The free part of the caller's buffer; the next committed byte goes at its start. It must hold the rest of the
    /// read (less what is handed over with <see cref="AddShared"/>). Bytes written past the committed ones stay there
    /// for the following <see cref="Advance"/> calls.
    /// </summary>
    Span<byte> Buffer { get; }

    /// <summary>Commits the next <paramref name="count"/> bytes of <see cref="Buffer"/>.</summary>
    void Advance(int count);

    /// <summary>How many more pieces <see cref="AddShared"/> may take (0: copy everything into the buffer).</summary>
    int SharedPiecesLeft { get; }

    /// <summary>
    /// Appends read-only memory without copying it. <paramref name="lease"/> keeps the memory valid and unchanged:
    /// dispose it exactly once when done with the memory (after the kernel has it), also when the piece cannot be
    /// taken after all.
    /// </summary>
    void AddShared(ReadOnlyMemory<byte> piece, IDisposable lease);
}

/// <summary>A read into one span (copies everything; nothing is shared).</summary>
public ref struct SpanReadTarget : IReadTarget
{
    private Span<byte> _free;

    /// <summary>A target that copies file bytes into <paramref name="destination"/>.</summary>
    public SpanReadTarget(Span<byte> destination) => _free = destination;

    /// <inheritdoc/>
    public readonly Span<byte> Buffer => _free;

    /// <inheritdoc/>
    public void Advance(int count) => _free = _free[count..];

    /// <inheritdoc/>
    public readonly int SharedPiecesLeft => 0;

    /// <inheritdoc/>
    public readonly void AddShared(ReadOnlyMemory<byte> piece, IDisposable lease)
    {
        lease.Dispose();
        throw new InvalidOperationException("a span target takes no shared pieces");
    }
}
