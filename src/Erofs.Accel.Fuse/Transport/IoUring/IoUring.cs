using Erofs.Accel.Interop;

namespace Erofs.Accel.Fuse.Transport;

/// <summary>
/// One io_uring with 128-byte submission entries: the submission ring, the completion ring and the entry array mapped
/// into this process. Entries are prepared in place (<see cref="TryGetSubmission"/>), published and submitted with
/// <see cref="Enter"/>, and completions are consumed with <see cref="TryTakeCompletion"/>. Owned by one thread (the
/// ring is set up SINGLE_ISSUER where the kernel allows it); only <see cref="Dispose"/> may come from another thread
/// once that thread has stopped.
/// </summary>
internal sealed unsafe class IoUring : IDisposable
{
    private readonly int _descriptor;
    private readonly byte* _submissionRing;
    private readonly nuint _submissionRingSize;
    private readonly byte* _completionRing;
    private readonly nuint _completionRingSize;
    private readonly IoUringSubmission128* _submissions;
    private readonly nuint _submissionsSize;
    private readonly uint* _submissionHead;
    private readonly uint* _submissionTail;
    private readonly uint _submissionMask;
    private readonly uint* _completionHead;
    private readonly uint* _completionTail;
    private readonly uint _completionMask;
    private readonly IoUringCompletion* _completions;
    private uint _localTail;
    private bool _disposed;

    private IoUring(int descriptor, in IoUringParameters parameters)
    {
        _descriptor = descriptor;
        SetupFlags = parameters.Flags;
        Features = parameters.Features;
        SubmissionEntries = parameters.SubmissionEntries;
        CompletionEntries = parameters.CompletionEntries;
        ref readonly var sq = ref parameters.SubmissionOffsets;
        ref readonly var cq = ref parameters.CompletionOffsets;
        _submissionRingSize = sq.Array + parameters.SubmissionEntries * sizeof(uint);
        _completionRingSize = cq.Completions + parameters.CompletionEntries * (uint)sizeof(IoUringCompletion);
        var singleMapping = (parameters.Features & Libc.IORING_FEAT_SINGLE_MMAP) != 0;
        if (singleMapping) _submissionRingSize = _completionRingSize = Math.Max(_submissionRingSize, _completionRingSize);
        try
        {
            _submissionRing = Map(_submissionRingSize, Libc.IORING_OFF_SQ_RING, "submission ring");
            _completionRing = singleMapping ? _submissionRing : Map(_completionRingSize, Libc.IORING_OFF_CQ_RING, "completion ring");
            _submissionsSize = parameters.SubmissionEntries * (nuint)sizeof(IoUringSubmission128);
            _submissions = (IoUringSubmission128*)Map(_submissionsSize, Libc.IORING_OFF_SQES, "submission entries");
        }
        catch
        {
            Unmap();
            Libc.Close(descriptor);
            throw;
        }

        _submissionHead = (uint*)(_submissionRing + sq.Head);
        _submissionTail = (uint*)(_submissionRing + sq.Tail);
        _submissionMask = *(uint*)(_submissionRing + sq.RingMask);
        _completionHead = (uint*)(_completionRing + cq.Head);
        _completionTail = (uint*)(_completionRing + cq.Tail);
        _completionMask = *(uint*)(_completionRing + cq.RingMask);
        _completions = (IoUringCompletion*)(_completionRing + cq.Completions);
        _localTail = *_submissionTail;

        // entry i of the ring always names submission entry i: fill the indirection array once
        var array = (uint*)(_submissionRing + sq.Array);
        for (uint i = 0; i < parameters.SubmissionEntries; i++) array[i] = i;
    }

    /// <summary>Setup flags the ring has (the kernel may have refused the optional ones).</summary>
    public uint SetupFlags { get; }

    public uint Features { get; }

    public uint SubmissionEntries { get; }

    public uint CompletionEntries { get; }

    /// <summary>Entries prepared but not yet taken by the kernel.</summary>
    public uint Pending => _localTail - Volatile.Read(ref *_submissionHead);

    /// <summary>
    /// Sets up a ring of <paramref name="entries"/> SQE128 entries and <paramref name="completionEntries"/> completion
    /// slots. With <paramref name="singleIssuer"/> it asks for SINGLE_ISSUER | DEFER_TASKRUN (completion work runs only
    /// when the owning thread waits) and falls back to a plain ring where the kernel refuses them. Throws
    /// <see cref="IoUringException"/> with the errno (ENOSYS: no io_uring; EPERM: io_uring_disabled or a seccomp
    /// filter).
    /// </summary>
    public static IoUring Create(uint entries, uint completionEntries, bool singleIssuer)
    {
        var flags = Libc.IORING_SETUP_SQE128 | Libc.IORING_SETUP_CQSIZE;
        if (singleIssuer)
        {
            var descriptor = TrySetup(entries, completionEntries, flags | Libc.IORING_SETUP_SINGLE_ISSUER | Libc.IORING_SETUP_DEFER_TASKRUN, out var parameters, out var error);
            if (descriptor >= 0) return new IoUring(descriptor, parameters);
            if (error != Errno.EINVAL) throw new IoUringException("io_uring_setup", error);
        }
        var plain = TrySetup(entries, completionEntries, flags, out var plainParameters, out var plainError);
        if (plain < 0) throw new IoUringException("io_uring_setup", plainError);
        return new IoUring(plain, plainParameters);
    }

    private static int TrySetup(uint entries, uint completionEntries, uint flags, out IoUringParameters parameters, out Errno error)
    {
        parameters = default;
        parameters.Flags = flags;
        parameters.CompletionEntries = completionEntries;
        fixed (IoUringParameters* pointer = &parameters)
        {
            var descriptor = Libc.IoUringSetup(entries, pointer);
            error = descriptor < 0 ? Libc.LastError : Errno.Success;
            return descriptor;
        }
    }

    /// <summary>
    /// The next free submission entry, zeroed, or false when all are in use (submit first). It is published by the next
    /// <see cref="Enter"/>.
    /// </summary>
    public bool TryGetSubmission(out IoUringSubmission128* entry)
    {
        var head = Volatile.Read(ref *_submissionHead);
        if (_localTail - head >= SubmissionEntries)
        {
            entry = null;
            return false;
        }
        entry = _submissions + (_localTail & _submissionMask);
        new Span<byte>(entry, sizeof(IoUringSubmission128)).Clear();
        _localTail++;
        return true;
    }

    /// <summary>
    /// Publishes the prepared entries, submits them and, when <paramref name="waitFor"/> is above zero, waits until that
    /// many completions are ready or <paramref name="timeoutMilliseconds"/> passes (-1: no timeout). Retries EINTR.
    /// Returns Success, ETIME on timeout, or the errno of io_uring_enter.
    /// </summary>
    public Errno Enter(uint waitFor = 0, int timeoutMilliseconds = -1)
    {
        Volatile.Write(ref *_submissionTail, _localTail);
        var flags = waitFor > 0 ? Libc.IORING_ENTER_GETEVENTS : 0;
        KernelTimeSpec timeout = default;
        IoUringGetEventsArgument argument = default;
        void* argumentPointer = null;
        nuint argumentSize = 0;
        if (waitFor > 0 && timeoutMilliseconds >= 0)
        {
            timeout.Seconds = timeoutMilliseconds / 1000;
            timeout.Nanoseconds = timeoutMilliseconds % 1000 * 1_000_000L;
            argument.Timeout = (ulong)&timeout;
            argumentPointer = &argument;
            argumentSize = (nuint)sizeof(IoUringGetEventsArgument);
            flags |= Libc.IORING_ENTER_EXT_ARG;
        }
        while (true)
        {
            // what the kernel has not taken yet, recomputed on every try: an interrupted call may have submitted some
            var result = Libc.IoUringEnter(_descriptor, Pending, waitFor, flags, argumentPointer, argumentSize);
            if (result >= 0)
            {
                if (waitFor == 0 || ReadyCompletions >= waitFor) return Errno.Success;
                continue;
            }
            var error = Libc.LastError;
            if (error == Errno.EINTR) continue;
            return error;
        }
    }

    /// <summary>
    /// Registers descriptors with the ring (IORING_REGISTER_FILES): a submission with IOSQE_FIXED_FILE names one by
    /// its index, and the ring holds the file itself, so the descriptor number may be closed or reused meanwhile.
    /// </summary>
    public Errno RegisterFiles(ReadOnlySpan<int> descriptors)
    {
        fixed (int* array = descriptors)
        {
            return Libc.IoUringRegister(_descriptor, Libc.IORING_REGISTER_FILES, array, (uint)descriptors.Length) == 0 ? Errno.Success : Libc.LastError;
        }
    }

    /// <summary>Completions posted and not yet taken.</summary>
    public uint ReadyCompletions => Volatile.Read(ref *_completionTail) - *_completionHead;

    /// <summary>Takes the oldest posted completion, or false when there is none.</summary>
    public bool TryTakeCompletion(out IoUringCompletion completion)
    {
        var head = *_completionHead;
        if (head == Volatile.Read(ref *_completionTail))
        {
            completion = default;
            return false;
        }
        completion = _completions[head & _completionMask];
        Volatile.Write(ref *_completionHead, head + 1);
        return true;
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        Unmap();
        Libc.Close(_descriptor);
    }

    private byte* Map(nuint size, long offset, string what)
    {
        var address = Libc.Mmap(null, size, Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_SHARED | Libc.MAP_POPULATE, _descriptor, offset);
        if (address == Libc.MapFailed) throw new IoUringException($"mmap of the {what}", Libc.LastError);
        return (byte*)address;
    }

    private void Unmap()
    {
        if (_submissions is not null) Libc.Munmap(_submissions, _submissionsSize);
        if (_completionRing is not null && _completionRing != _submissionRing) Libc.Munmap(_completionRing, _completionRingSize);
        if (_submissionRing is not null) Libc.Munmap(_submissionRing, _submissionRingSize);
    }
}

/// <summary>An io_uring call failed; <see cref="Errno"/> says why.</summary>
internal sealed class IoUringException(string operation, Errno errno)
    : Exception($"{operation} failed: {Libc.Describe(errno)}")
{
    public Errno Errno { get; } = errno;
}
