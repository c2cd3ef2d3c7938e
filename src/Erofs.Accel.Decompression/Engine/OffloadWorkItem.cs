using System.Buffers;
using System.Threading.Tasks.Sources;
using Erofs.Accel.Decompression.Engine.Native;

namespace Erofs.Accel.Decompression.Engine;

/// <summary>
/// The one unit of work of an <see cref="AcceleratorLane"/>: one request (<see cref="DecompressionEngine.DecompressAsync"/>)
/// or a group of requests sent together (a batch for a batch backend); pooled and reused, so a request costs no
/// allocation. Every request gets a private pooled output buffer: an accelerator only ever writes those, and the caller
/// copies accepted bytes to its own destination once the item is complete. So after a timeout or a cancellation a late
/// accelerator can never touch the caller's memory.
/// <para>
/// State machine: Idle → Queued (armed and put in the queue) → Running (a driver took it) → Completing → Finished (the
/// driver won and completes it), or Queued/Running → Abandoned (the deadline timer, the caller's cancellation, or a
/// failed enqueue won). Exactly one of these parties completes the item; compare-and-swap decides.
/// </para>
/// <para>
/// Two references keep the item and its buffers alive: the caller's (dropped with <see cref="Release"/> once it has read
/// the outcome and copied the bytes) and the lane's (dropped by the driver once nothing of the item runs any more, even
/// on a device that finishes after the deadline, or by the enqueue when the item never got into the queue).
/// </para>
/// </summary>
internal sealed class OffloadWorkItem : IValueTaskSource<OffloadOutcome>
{
    private const int Idle = 0;
    private const int Queued = 1;
    private const int Running = 2;
    private const int Completing = 3;
    private const int Abandoned = 4;
    private const int Finished = 5;

    private readonly AcceleratorLane _lane;
    private readonly TimeProvider _time;
    private readonly ITimer _timer;
    private ManualResetValueTaskSourceCore<OffloadOutcome> _core;
    private CancellationTokenRegistration _cancellation;
    private long _deadline;
    private int _state;
    private int _references;

    private DecompressionRequest[] _requests = new DecompressionRequest[1];
    private DecompressionResult[] _results = new DecompressionResult[1];
    private byte[]?[] _outputs = new byte[1][];
    private int[] _callerIndex = new int[1];
    private ShimDecodeOperation?[] _operations = new ShimDecodeOperation?[1];

    public OffloadWorkItem(AcceleratorLane lane, TimeProvider time)
    {
        _lane = lane;
        _time = time;
        _core.RunContinuationsAsynchronously = true;
        _timer = time.CreateTimer(static s => ((OffloadWorkItem)s!).OnTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Requests in the item.</summary>
    public int Count { get; private set; }

    /// <summary>Whether the breaker let the item through as its probe.</summary>
    public bool IsProbe { get; set; }

    /// <summary>What a batch backend threw, when it did (the item then completes with BackendFailed).</summary>
    public Exception? Error { get; set; }

    /// <summary>True once a timeout, the caller's cancellation or a failed enqueue took the item away from the driver.</summary>
    public bool IsAbandoned => Volatile.Read(ref _state) == Abandoned;

    /// <summary>Capacity of the item's arrays (pooled items keep them).</summary>
    public int Capacity => _requests.Length;

    // ---- filling (caller, before Arm) ---------------------------------------------------------------------------

    /// <summary>
    /// Adds a request: <paramref name="callerIndex"/> is its index in the caller's batch. The backend will see the
    /// caller's source and a private destination the driver rents when it starts the request
    /// (<see cref="PrepareOutput"/>), so requests waiting in the queue hold no buffer.
    /// </summary>
    public void Add(int callerIndex, in DecompressionRequest request)
    {
        if (Count == _requests.Length) Grow(Count * 2);
        _outputs[Count] = null;
        _requests[Count] = request;
        _results[Count] = default;
        _callerIndex[Count] = callerIndex;
        _operations[Count] = null;
        Count++;
    }

    /// <summary>
    /// Driver: gives request <paramref name="k"/> its private destination of exactly OutputLength bytes, in a pooled
    /// buffer with <paramref name="spareBytes"/> more bytes of room (a shim that needs to see past the end).
    /// </summary>
    public void PrepareOutput(int k, int spareBytes)
    {
        if (_outputs[k] is not null) return; // prepared before (a submission the device was too busy to take)
        int length = _requests[k].Parameters.OutputLength;
        var output = ArrayPool<byte>.Shared.Rent(length + spareBytes);
        _lane.BufferRented();
        _outputs[k] = output;
        _requests[k] = _requests[k] with { Destination = output.AsMemory(0, length) };
    }

    private void Grow(int capacity)
    {
        Array.Resize(ref _requests, capacity);
        Array.Resize(ref _results, capacity);
        Array.Resize(ref _outputs, capacity);
        Array.Resize(ref _callerIndex, capacity);
        Array.Resize(ref _operations, capacity);
    }

    /// <summary>Prepares the filled item for its trip: two references, deadline armed, cancellation watched.</summary>
    public void Arm(TimeSpan timeout, CancellationToken cancellationToken)
    {
        _core.Reset();
        Error = null;
        NextToStart = 0;
        Unfinished = Count;
        _references = 2;
        Volatile.Write(ref _deadline, _time.GetTimestamp() + (long)(timeout.TotalSeconds * _time.TimestampFrequency));
        Volatile.Write(ref _state, Queued);
        _timer.Change(timeout, Timeout.InfiniteTimeSpan);
        if (cancellationToken.CanBeCanceled)
            _cancellation = cancellationToken.UnsafeRegister(static s => ((OffloadWorkItem)s!).TryAbandon(OffloadOutcome.Cancelled), this);
    }

    // ---- what the backend sees and produced ---------------------------------------------------------------------

    /// <summary>The requests as the backend sees them (caller's source, private destination once prepared).</summary>
    public ReadOnlyMemory<DecompressionRequest> Requests => _requests.AsMemory(0, Count);

    public ref readonly DecompressionRequest Request(int k) => ref _requests[k];

    /// <summary>Per request, what the backend answered (filled by the driver).</summary>
    public Memory<DecompressionResult> Results => _results.AsMemory(0, Count);

    /// <summary>The whole private buffer of request <paramref name="k"/> (OutputLength + spare bytes or more).</summary>
    public Memory<byte> OutputBuffer(int k) => _outputs[k];

    /// <summary>The decoded bytes of request <paramref name="k"/> (valid when its verdict is Done).</summary>
    public ReadOnlySpan<byte> Output(int k) => _outputs[k].AsSpan(0, _requests[k].Parameters.OutputLength);

    public int CallerIndex(int k) => _callerIndex[k];

    /// <summary>What request <paramref name="k"/>'s answer means; Done only with exactly OutputLength bytes.</summary>
    public OffloadOutcome Verdict(int k) =>
        OffloadOutcome.FromDecode(_results[k].Status, _results[k].BytesWritten, _requests[k].Parameters.OutputLength);

    // ---- driver side (only the lane driver that took the item touches these) -------------------------------------

    /// <summary>Next request to hand to the backend.</summary>
    internal int NextToStart;

    /// <summary>Requests handed out and not finished, plus those not handed out yet.</summary>
    internal int Unfinished;

    /// <summary>Submitted decodes still on the device, per request.</summary>
    internal ShimDecodeOperation?[] Operations => _operations;

    /// <summary>Records request <paramref name="k"/>'s answer.</summary>
    internal void Finish(int k, DecodeStatus status, int written)
    {
        _results[k] = new DecompressionResult(status, status == DecodeStatus.Done ? written : 0, _lane.Name);
        Unfinished--;
    }

    // ---- the state machine ---------------------------------------------------------------------------------------

    /// <summary>Time left until the deadline (zero when passed).</summary>
    public TimeSpan RemainingTime()
    {
        long remaining = Volatile.Read(ref _deadline) - _time.GetTimestamp();
        return remaining <= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds((double)remaining / _time.TimestampFrequency);
    }

    public ValueTask<OffloadOutcome> AsValueTask() => new(this, _core.Version);

    /// <summary>Driver: claims the item; false when it was abandoned while queued.</summary>
    public bool TryStart() => Interlocked.CompareExchange(ref _state, Running, Queued) == Queued;

    /// <summary>Driver: wins the right to complete; false when abandoned meanwhile.</summary>
    public bool TryBeginComplete() => Interlocked.CompareExchange(ref _state, Completing, Running) == Running;

    /// <summary>Driver, after <see cref="TryBeginComplete"/> succeeded.</summary>
    public void Complete(OffloadOutcome outcome)
    {
        Volatile.Write(ref _state, Finished);
        _core.SetResult(outcome);
    }

    /// <summary>Timeout, cancellation, or a failed enqueue: completes with <paramref name="outcome"/> unless the driver already won.</summary>
    public bool TryAbandon(OffloadOutcome outcome)
    {
        while (true)
        {
            int state = Volatile.Read(ref _state);
            if (state is not (Queued or Running)) return false;
            if (Interlocked.CompareExchange(ref _state, Abandoned, state) != state) continue;
            _core.SetResult(outcome);
            return true;
        }
    }

    /// <summary>The caller gives up on the item (it is failing for another reason).</summary>
    public bool TryAbandon() => TryAbandon(OffloadOutcome.Cancelled);

    private void OnTimer()
    {
        int state = Volatile.Read(ref _state);
        if (state is not (Queued or Running)) return;
        long remaining = Volatile.Read(ref _deadline) - _time.GetTimestamp();
        if (remaining <= 0)
        {
            TryAbandon(OffloadOutcome.FallBack(FallbackReason.TimedOut));
            return;
        }
        // Fired early (or for an earlier use of this item): wait for the rest of the current deadline.
        _timer.Change(TimeSpan.FromSeconds((double)remaining / _time.TimestampFrequency), Timeout.InfiniteTimeSpan);
    }

    private void Disarm()
    {
        _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _cancellation.Dispose();
        _cancellation = default;
    }

    /// <summary>Drops one reference; the last one gives the buffers back and returns the item to its lane's pool.</summary>
    public void Release()
    {
        if (Interlocked.Decrement(ref _references) != 0) return;
        Disarm();
        for (int k = 0; k < Count; k++)
        {
            _requests[k] = default;
            if (_outputs[k] is not { } output) continue;
            ArrayPool<byte>.Shared.Return(output);
            _outputs[k] = null;
            _lane.BufferReturned();
        }
        Count = 0;
        IsProbe = false;
        Error = null;
        Volatile.Write(ref _state, Idle);
        _lane.Return(this);
    }

    /// <summary>Frees the timer of an item dropped from the pool.</summary>
    public void DisposeTimer() => _timer.Dispose();

    OffloadOutcome IValueTaskSource<OffloadOutcome>.GetResult(short token)
    {
        var outcome = _core.GetResult(token);
        Disarm();
        return outcome;
    }

    ValueTaskSourceStatus IValueTaskSource<OffloadOutcome>.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource<OffloadOutcome>.OnCompleted(Action<object?> continuation, object? state, short token,
        ValueTaskSourceOnCompletedFlags flags) => _core.OnCompleted(continuation, state, token, flags);
}
