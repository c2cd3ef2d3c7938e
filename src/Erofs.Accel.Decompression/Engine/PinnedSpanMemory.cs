using System.Buffers;

namespace Erofs.Accel.Decompression.Engine;

/// <summary>
/// Lends a caller's span to an API that takes <see cref="Memory{T}"/>, for the duration of a synchronous wait: the
/// caller pins the span (<c>fixed</c>), wraps the pointer, waits for the work to finish and then drops this object.
/// Valid only while the pin holds; the decompression engine writes a destination only before it reports completion,
/// so nothing touches the memory after the wait returns.
/// </summary>
internal sealed unsafe class PinnedSpanMemory : MemoryManager<byte>
{
    private byte* _pointer;
    private readonly int _length;

    public PinnedSpanMemory(byte* pointer, int length)
    {
        _pointer = pointer;
        _length = length;
    }

    public override Span<byte> GetSpan()
    {
        ObjectDisposedException.ThrowIf(_pointer == null, this);
        return new Span<byte>(_pointer, _length);
    }

    public override MemoryHandle Pin(int elementIndex = 0)
    {
        ObjectDisposedException.ThrowIf(_pointer == null, this);
        ArgumentOutOfRangeException.ThrowIfNegative(elementIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(elementIndex, _length);
        return new MemoryHandle(_pointer + elementIndex);
    }

    public override void Unpin()
    {
    }

    /// <summary>Called when the pin ends: any later use throws instead of touching freed memory.</summary>
    protected override void Dispose(bool disposing) => _pointer = null;
}
