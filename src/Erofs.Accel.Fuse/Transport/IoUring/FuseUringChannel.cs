using System.Runtime.InteropServices;
using Erofs.Accel.Fuse.Protocol;
using Erofs.Accel.Interop;

namespace Erofs.Accel.Fuse.Transport;

/// <summary>
/// The FUSE-over-io_uring entries one server thread serves through its own io_uring. Each entry is a header block
/// (struct fuse_uring_req_header, owned here) and a payload buffer (owned by the caller, at least the connection's
/// largest payload), registered for one queue id (a CPU). The life of an entry: <see cref="QueueRegister"/> hands it to
/// the kernel; its completion (result 0) means a request is in it (<see cref="CopyRequest"/>); the caller answers with
/// <see cref="SetReply"/> and <see cref="QueueCommit"/>, which also hands it back for the next request. A completion
/// with a negative result ends the entry (ENOTCONN when the connection closes). An eventfd watched by the same ring
/// wakes the thread to stop (<see cref="RequestStop"/>, from any thread).
/// </summary>
internal sealed unsafe class FuseUringChannel : IDisposable
{
    /// <summary>user_data of the completion that reports the stop event.</summary>
    public const ulong StopToken = ulong.MaxValue;

    private readonly IoUring _ring;
    /// <summary>Index of /dev/fuse among the ring's registered files.</summary>
    private readonly int _deviceFileIndex;
    private readonly int _stopEvent;
    private readonly FuseUringRequestHeader* _headers;
    private readonly IoVector* _vectors;
    private readonly EntrySpecification[] _entries;
    private readonly FuseUringCommand[] _lastCommand;
    private readonly object _stopLock = new();
    private bool _disposed;

    /// <summary>One entry: its queue and the payload buffer the kernel reads and writes (must stay valid and pinned).</summary>
    public readonly record struct EntrySpecification(ushort QueueId, nint Payload, int PayloadLength);

    private FuseUringChannel(IoUring ring, int deviceFileIndex, int stopEvent, EntrySpecification[] entries)
    {
        _ring = ring;
        _deviceFileIndex = deviceFileIndex;
        _stopEvent = stopEvent;
        _entries = entries;
        _lastCommand = new FuseUringCommand[entries.Length];
        _headers = (FuseUringRequestHeader*)NativeMemory.AlignedAlloc((nuint)(entries.Length * sizeof(FuseUringRequestHeader)), 64);
        _vectors = (IoVector*)NativeMemory.AlignedAlloc((nuint)(entries.Length * 2 * sizeof(IoVector)), 64);
        NativeMemory.Clear(_headers, (nuint)(entries.Length * sizeof(FuseUringRequestHeader)));
        for (var i = 0; i < entries.Length; i++)
        {
            _vectors[2 * i] = new IoVector { Base = (byte*)(_headers + i), Length = (nuint)sizeof(FuseUringRequestHeader) };
            _vectors[2 * i + 1] = new IoVector { Base = (byte*)entries[i].Payload, Length = (nuint)entries[i].PayloadLength };
        }
    }

    /// <summary>
    /// Sets up the io_uring (one submission slot per entry plus one for the stop watch), registers /dev/fuse with it
    /// (commands name it by index, and the ring holds the file: closing the descriptor cannot redirect them) and
    /// allocates the header blocks. Must run on the thread that will serve the entries. Throws
    /// <see cref="IoUringException"/>.
    /// <paramref name="releaseAfterDevice"/> (or -1): a descriptor the ring holds too, registered before /dev/fuse so
    /// that when the ring is torn down it lets go of it after /dev/fuse (see <see cref="FuseServer"/>: the fusermount3
    /// socket of a server that died must close only once its connection is gone).
    /// </summary>
    public static FuseUringChannel Create(int deviceDescriptor, ReadOnlySpan<EntrySpecification> entries, int releaseAfterDevice = -1)
    {
        if (entries.IsEmpty) throw new ArgumentException("a channel needs at least one entry", nameof(entries));
        var stopEvent = Libc.EventFd(0, Libc.EFD_CLOEXEC);
        if (stopEvent < 0) throw new IoUringException("eventfd", Libc.LastError);
        try
        {
            var slots = (uint)entries.Length + 1;
            var ring = IoUring.Create(slots, 2 * slots, singleIssuer: true);
            var registered = releaseAfterDevice >= 0 ? ring.RegisterFiles([releaseAfterDevice, deviceDescriptor]) : ring.RegisterFiles([deviceDescriptor]);
            if (registered != Errno.Success)
            {
                ring.Dispose();
                throw new IoUringException("registering /dev/fuse with io_uring", registered);
            }
            return new FuseUringChannel(ring, releaseAfterDevice >= 0 ? 1 : 0, stopEvent, entries.ToArray());
        }
        catch
        {
            Libc.Close(stopEvent);
            throw;
        }
    }

    public int EntryCount => _entries.Length;

    public ushort QueueIdOf(int entry) => _entries[entry].QueueId;

    /// <summary>Setup flags the io_uring got (for diagnostics).</summary>
    public uint RingSetupFlags => _ring.SetupFlags;

    /// <summary>Prepares FUSE_IO_URING_CMD_REGISTER for an entry (sent by the next submit).</summary>
    public void QueueRegister(int entry) => Queue(entry, FuseUringCommand.Register);

    /// <summary>Prepares FUSE_IO_URING_CMD_COMMIT_AND_FETCH for an entry whose reply is set (sent by the next submit).</summary>
    public void QueueCommit(int entry) => Queue(entry, FuseUringCommand.CommitAndFetch);

    /// <summary>Prepares the entry's last command again (after EAGAIN or EINTR).</summary>
    public void QueueAgain(int entry) => Queue(entry, _lastCommand[entry]);

    /// <summary>Watches the stop event: a completion with <see cref="StopToken"/> arrives once it is signalled.</summary>
    public void WatchStopEvent()
    {
        var sqe = NextSubmission();
        sqe->Opcode = Libc.IORING_OP_POLL_ADD;
        sqe->Descriptor = _stopEvent;
        sqe->OperationFlags = (uint)Libc.POLLIN;
        sqe->UserData = StopToken;
    }

    /// <summary>Signals the stop event; safe from any thread, harmless after <see cref="Dispose()"/>.</summary>
    public void RequestStop()
    {
        lock (_stopLock)
        {
            if (_disposed) return;
            ulong one = 1;
            Libc.Write(_stopEvent, (byte*)&one, sizeof(ulong));
        }
    }

    /// <summary>
    /// Submits what is prepared and waits for at least one completion, or until <paramref name="timeoutMilliseconds"/>
    /// passes (-1: no limit; ETIME on timeout).
    /// </summary>
    public Errno SubmitAndWait(int timeoutMilliseconds = -1) => _ring.Enter(waitFor: 1, timeoutMilliseconds);

    /// <summary>Submits what is prepared without waiting.</summary>
    public Errno Submit() => _ring.Enter();

    /// <summary>Takes one completion: the entry index (or <see cref="StopToken"/>) and the result (0 or a negated errno).</summary>
    public bool TryTakeCompletion(out ulong token, out int result)
    {
        if (!_ring.TryTakeCompletion(out var completion))
        {
            token = 0;
            result = 0;
            return false;
        }
        token = completion.UserData;
        result = completion.Result;
        return true;
    }

    /// <summary>The unique id of the request in an entry.</summary>
    public ulong UniqueOf(int entry) => ((FuseInHeader*)(_headers + entry)->InOut)->Unique;

    /// <summary>The opcode of the request in an entry.</summary>
    public FuseOpcode OpcodeOf(int entry) => ((FuseInHeader*)(_headers + entry)->InOut)->Opcode;

    /// <summary>The command last prepared for an entry.</summary>
    public FuseUringCommand LastCommandOf(int entry) => _lastCommand[entry];

    /// <summary>
    /// Rebuilds the request in an entry as /dev/fuse would deliver it: fuse_in_header, the opcode's first argument (from
    /// op_in), then the rest (from the payload buffer). The length of the first argument is what the header's length
    /// leaves after the payload. Returns <see cref="FuseUringRequestStatus.TooLarge"/> when the message does not fit
    /// <paramref name="destination"/>, <see cref="FuseUringRequestStatus.Malformed"/> when the sizes do not add up.
    /// </summary>
    public FuseUringRequestStatus CopyRequest(int entry, Span<byte> destination, out int length)
    {
        var header = _headers + entry;
        length = (int)Math.Min(((FuseInHeader*)header->InOut)->Length, int.MaxValue);
        return AssembleRequest(
            new ReadOnlySpan<byte>(header->InOut, FuseInHeader.Size),
            new ReadOnlySpan<byte>(header->OperationIn, FuseUringRequestHeader.OperationInSize),
            new ReadOnlySpan<byte>((byte*)_entries[entry].Payload, _entries[entry].PayloadLength),
            header->EntryInOut.PayloadSize,
            destination);
    }

    /// <summary>The message assembly of <see cref="CopyRequest"/> over plain spans (recorded-message tests use it).</summary>
    internal static FuseUringRequestStatus AssembleRequest(
        ReadOnlySpan<byte> inHeader, ReadOnlySpan<byte> operationIn, ReadOnlySpan<byte> payload, uint payloadSize, Span<byte> destination)
    {
        var header = MemoryMarshal.Read<FuseInHeader>(inHeader);
        if (header.Length < FuseInHeader.Size || payloadSize > (uint)payload.Length || header.Length - FuseInHeader.Size < payloadSize)
            return FuseUringRequestStatus.Malformed;
        var argumentSize = header.Length - FuseInHeader.Size - payloadSize;
        if (argumentSize > (uint)operationIn.Length) return FuseUringRequestStatus.Malformed;
        if (header.Length > (uint)destination.Length) return FuseUringRequestStatus.TooLarge;
        inHeader[..FuseInHeader.Size].CopyTo(destination);
        operationIn[..(int)argumentSize].CopyTo(destination[FuseInHeader.Size..]);
        payload[..(int)payloadSize].CopyTo(destination[(FuseInHeader.Size + (int)argumentSize)..]);
        return FuseUringRequestStatus.Ok;
    }

    /// <summary>
    /// Puts a reply in an entry: the fuse_out_header (first 16 bytes of <paramref name="outHeader"/>) and the length of
    /// the reply body, which the caller has already written to the start of the entry's payload buffer.
    /// </summary>
    public void SetReply(int entry, ReadOnlySpan<byte> outHeader, int payloadLength)
    {
        if ((uint)payloadLength > (uint)_entries[entry].PayloadLength) throw new ArgumentOutOfRangeException(nameof(payloadLength));
        var header = _headers + entry;
        outHeader[..FuseOutHeader.Size].CopyTo(new Span<byte>(header->InOut, FuseOutHeader.Size));
        header->EntryInOut.PayloadSize = (uint)payloadLength;
    }

    /// <summary>
    /// Closes the ring and the stop event. The header blocks are freed only when <paramref name="entriesReleased"/>
    /// says the kernel holds none of them any more; otherwise they are left allocated (a kernel that still has an
    /// entry could write into it).
    /// </summary>
    public void Dispose(bool entriesReleased)
    {
        lock (_stopLock)
        {
            if (_disposed) return;
            _disposed = true;
            _ring.Dispose();
            Libc.Close(_stopEvent);
        }
        if (!entriesReleased) return;
        NativeMemory.AlignedFree(_headers);
        NativeMemory.AlignedFree(_vectors);
    }

    public void Dispose() => Dispose(entriesReleased: false);

    private void Queue(int entry, FuseUringCommand command)
    {
        var commitId = command == FuseUringCommand.CommitAndFetch ? _headers[entry].EntryInOut.CommitId : 0;
        Encode(ref *NextSubmission(), _deviceFileIndex, fixedFile: true, command, (ulong)entry, _entries[entry].QueueId, commitId, _vectors + 2 * entry);
        _lastCommand[entry] = command;
    }

    /// <summary>
    /// Fills one IORING_OP_URING_CMD submission for /dev/fuse (a descriptor, or with <paramref name="fixedFile"/> an
    /// index among the ring's registered files): cmd_op is the FUSE command, the 80-byte command area holds struct
    /// fuse_uring_cmd_req (queue id, and the commit id being answered), and REGISTER points at the entry's two iovecs
    /// (header block, payload), which the kernel reads while it takes the submission.
    /// </summary>
    internal static void Encode(
        ref IoUringSubmission128 sqe, int device, bool fixedFile, FuseUringCommand command, ulong userData, ushort queueId, ulong commitId, IoVector* vectors)
    {
        sqe.Opcode = Libc.IORING_OP_URING_CMD;
        sqe.Flags = fixedFile ? Libc.IOSQE_FIXED_FILE : (byte)0;
        sqe.Descriptor = device;
        sqe.CommandOperation = (uint)command;
        sqe.UserData = userData;
        if (command == FuseUringCommand.Register)
        {
            sqe.Address = (ulong)vectors;
            sqe.Length = 2;
        }
        fixed (byte* area = sqe.Command)
        {
            ref var request = ref *(FuseUringCommandRequest*)area;
            request.QueueId = queueId;
            request.CommitId = commitId;
        }
    }

    private IoUringSubmission128* NextSubmission()
    {
        // one slot per entry and one for the stop watch: a slot is always free, unless submissions piled up unsent
        if (_ring.TryGetSubmission(out var sqe)) return sqe;
        var error = _ring.Enter();
        if (error != Errno.Success || !_ring.TryGetSubmission(out sqe)) throw new IoUringException("io_uring_enter", error == Errno.Success ? Errno.EBUSY : error);
        return sqe;
    }
}

/// <summary>Outcome of rebuilding a ring request as a /dev/fuse message.</summary>
internal enum FuseUringRequestStatus
{
    Ok,
    /// <summary>The header's length disagrees with the payload size or the op_in area.</summary>
    Malformed,
    /// <summary>Bigger than the request buffer.</summary>
    TooLarge,
}
