using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Erofs.Accel.Interop;

namespace Erofs.Accel.Fuse.Protocol;

/// <summary>
/// Builds one reply: a 16-byte header and a body, in a pinned buffer owned by one worker, optionally interleaved with
/// external memory that is written in place by writev(2) (no copy). Reused request after request; no allocation on
/// the hot path.
/// </summary>
internal sealed unsafe class ReplyBuilder : IDisposable
{
    /// <summary>writev(2) accepts at most IOV_MAX (1024) pieces; a reply keeps well below.</summary>
    public const int MaxSegments = 64;

    private readonly byte[] _buffer;
    private readonly byte* _base;
    private readonly IoVector[] _segments = new IoVector[MaxSegments];
    private readonly MemoryHandle[] _pins = new MemoryHandle[MaxSegments];
    private readonly IDisposable?[] _owners = new IDisposable?[MaxSegments];
    private int _segmentCount;
    private int _pinCount;
    private int _ownerCount;
    private int _position;
    private int _regionStart;
    private int _externalLength;
    private ulong _unique;
    private int _error;
    private int _notification;

    public ReplyBuilder(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, FuseOutHeader.Size + 4096);
        _buffer = GC.AllocateUninitializedArray<byte>(capacity, pinned: true);
        _base = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_buffer));
        Begin(0);
    }

    /// <summary>Total buffer size including the header.</summary>
    public int Capacity => _buffer.Length;

    /// <summary>Body bytes so far (buffer and external).</summary>
    public int BodyLength => _position - FuseOutHeader.Size + _externalLength;

    /// <summary>Room left in the buffer for body bytes.</summary>
    public int FreeCapacity => _buffer.Length - _position;

    public ulong Unique => _unique;

    /// <summary>The negated errno of the reply (0 on success).</summary>
    public int Error => _error;

    /// <summary>
    /// How many more <see cref="AppendExternal"/> calls fit: each may take two pieces (the buffer bytes before it, then
    /// the external memory), and one piece stays free for the buffer bytes after the last.
    /// </summary>
    public int ExternalPiecesLeft => Math.Max(0, (MaxSegments - 1 - _segmentCount) / 2);

    /// <summary>Pieces to write after <see cref="Complete"/>.</summary>
    public ReadOnlySpan<IoVector> Segments => _segments.AsSpan(0, _segmentCount);

    /// <summary>Starts a new reply for the request with id <paramref name="unique"/>, dropping anything built before.</summary>
    public void Begin(ulong unique)
    {
        ReleaseExternal();
        _unique = unique;
        _error = 0;
        _notification = 0;
        _position = FuseOutHeader.Size;
        _regionStart = 0;
        _segmentCount = 0;
        _externalLength = 0;
    }

    /// <summary>
    /// Starts an unsolicited message instead of a reply: unique 0 and the notification code where a reply has its
    /// error. The body is built and sent like a reply's.
    /// </summary>
    public void BeginNotification(FuseNotifyCode code)
    {
        Begin(0);
        _notification = (int)code;
    }

    /// <summary>Turns the reply into an error reply (header only).</summary>
    public void SetError(Errno errno)
    {
        var unique = _unique;
        Begin(unique);
        _error = -(int)errno;
    }

    /// <summary>Appends a zeroed struct and returns a reference to fill in.</summary>
    public ref T Append<T>() where T : unmanaged
    {
        var size = sizeof(T);
        if (size > FreeCapacity) throw new InvalidOperationException("reply buffer full");
        var pointer = _base + _position;
        new Span<byte>(pointer, size).Clear();
        _position += size;
        return ref Unsafe.AsRef<T>(pointer);
    }

    public void AppendBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > FreeCapacity) throw new InvalidOperationException("reply buffer full");
        bytes.CopyTo(new Span<byte>(_base + _position, bytes.Length));
        _position += bytes.Length;
    }

    public void AppendZeros(int count)
    {
        if ((uint)count > (uint)FreeCapacity) throw new InvalidOperationException("reply buffer full");
        new Span<byte>(_base + _position, count).Clear();
        _position += count;
    }

    /// <summary>The free part of the buffer; follow a write into it with <see cref="Advance"/>.</summary>
    public Span<byte> GetFreeSpan() => new(_base + _position, FreeCapacity);

    /// <summary>The free part of the buffer as Memory (the buffer is pinned, so pointers into it stay valid).</summary>
    public Memory<byte> GetFreeMemory() => _buffer.AsMemory(_position);

    public void Advance(int count)
    {
        if ((uint)count > (uint)FreeCapacity) throw new ArgumentOutOfRangeException(nameof(count));
        _position += count;
    }

    /// <summary>
    /// Appends external memory without copying it. It is pinned until the reply is written; <paramref name="owner"/>
    /// (if any) is disposed after that.
    /// </summary>
    public void AppendExternal(ReadOnlyMemory<byte> data, IDisposable? owner)
    {
        if (data.IsEmpty)
        {
            owner?.Dispose();
            return;
        }
        if (_segmentCount + 3 > MaxSegments)
        {
            owner?.Dispose();
            throw new InvalidOperationException($"a reply holds at most {MaxSegments} pieces");
        }
        CloseBufferRegion();
        var pin = data.Pin();
        _pins[_pinCount++] = pin;
        if (owner is not null) _owners[_ownerCount++] = owner;
        _segments[_segmentCount++] = new IoVector { Base = (byte*)pin.Pointer, Length = (nuint)data.Length };
        _externalLength += data.Length;
    }

    /// <summary>Writes the header and closes the piece list; the reply is ready for writev.</summary>
    public void Complete()
    {
        if (_error != 0)
        {
            // an error reply is the header alone, whatever was appended before
            ReleaseExternal();
            _position = FuseOutHeader.Size;
            _segmentCount = 0;
            _regionStart = 0;
        }
        CloseBufferRegion();
        ref var header = ref Unsafe.AsRef<FuseOutHeader>(_base);
        header.Length = (uint)(_position + _externalLength);
        header.Error = _error != 0 ? _error : _notification;
        header.Unique = _unique;
    }

    /// <summary>Releases pinned external memory and disposes its owners (after the reply has been written).</summary>
    public void ReleaseExternal()
    {
        for (var i = 0; i < _pinCount; i++) _pins[i].Dispose();
        for (var i = 0; i < _ownerCount; i++)
        {
            var owner = _owners[i];
            _owners[i] = null;
            owner?.Dispose();
        }
        _pinCount = 0;
        _ownerCount = 0;
        _externalLength = 0;
    }

    /// <summary>Start of the body area (right after the header) in the pinned buffer.</summary>
    public nint BodyAddress => (nint)(_base + FuseOutHeader.Size);

    /// <summary>Size of the body area of the buffer.</summary>
    public int BodyCapacity => _buffer.Length - FuseOutHeader.Size;

    /// <summary>The 16-byte header written by <see cref="Complete"/>.</summary>
    public ReadOnlySpan<byte> Header => new(_base, FuseOutHeader.Size);

    /// <summary>
    /// After <see cref="Complete"/>: moves the whole body into the buffer right after the header, in piece order, so the
    /// reply is one contiguous region (for transports that take the body from a fixed buffer, such as io_uring), and
    /// releases the external pieces. Returns the body length. Buffer regions only ever move towards the end and are
    /// placed last-first, so no piece overwrites one not yet placed.
    /// </summary>
    public int GatherBody()
    {
        var total = 0;
        for (var i = 0; i < _segmentCount; i++) total += (int)_segments[i].Length;
        if (total > _buffer.Length) throw new InvalidOperationException("the reply does not fit its buffer");
        if (_segmentCount > 1)
        {
            var end = total;
            for (var i = _segmentCount - 1; i >= 0; i--)
            {
                var length = (int)_segments[i].Length;
                end -= length;
                if (_segments[i].Base != _base + end)
                    new ReadOnlySpan<byte>(_segments[i].Base, length).CopyTo(new Span<byte>(_base + end, length));
            }
            _segments[0] = new IoVector { Base = _base, Length = (nuint)total };
            _segmentCount = 1;
        }
        ReleaseExternal();
        return total - FuseOutHeader.Size;
    }

    /// <summary>The whole reply as one array (tests and tracing).</summary>
    public byte[] ToArray()
    {
        var length = 0;
        foreach (var segment in Segments) length += (int)segment.Length;
        var result = new byte[length];
        var at = 0;
        foreach (var segment in Segments)
        {
            new ReadOnlySpan<byte>(segment.Base, (int)segment.Length).CopyTo(result.AsSpan(at));
            at += (int)segment.Length;
        }
        return result;
    }

    public void Dispose() => ReleaseExternal();

    private void CloseBufferRegion()
    {
        // the first region starts at 0, so the header always leads the piece list
        if (_position > _regionStart)
        {
            _segments[_segmentCount++] = new IoVector { Base = _base + _regionStart, Length = (nuint)(_position - _regionStart) };
            _regionStart = _position;
        }
    }
}
