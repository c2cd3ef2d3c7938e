using System.Threading.Tasks.Sources;

namespace Erofs.Accel.Decompression.Engine;

/// <summary>
/// One request travelling through an accelerator's queue; pooled and reused (no allocation per request). Exactly one
/// of three parties completes it: the worker (after decoding into a private buffer and copying to the destination),
/// the deadline timer (timed out) or the caller's cancellation token. A state machine decides who wins, so the
/// destination is written only by a worker that won before any timeout or cancellation: after a timeout the engine
/// decodes in software and a late accelerator can no longer touch the caller's memory.
/// Two references keep the item alive: the caller's (dropped when it reads the outcome) and the queue's (dropped by
/// the worker, or by the caller when the item never entered the queue).
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

    public OffloadWorkItem(AcceleratorLane lane, TimeProvider time)
    {
        _lane = lane;
        _time = time;
        _core.RunContinuationsAsynchronously = true;
        _timer = time.CreateTimer(static s => ((OffloadWorkItem)s!).OnTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public DecompressionRequest Request { get; private set; }

    /// <summary>True once a timeout or the caller's cancellation took the item away from the worker.</summary>
    public bool IsAbandoned => Volatile.Read(ref _state) == Abandoned;

    /// <summary>Prepares the item for one request: two references, deadline armed, cancellation watched.</summary>
    public void Arm(in DecompressionRequest request, TimeSpan timeout, CancellationToken cancellationToken)
    {
        Request = request;
        _core.Reset();
        _references = 2;
        Volatile.Write(ref _deadline, _time.GetTimestamp() + (long)(timeout.TotalSeconds * _time.TimestampFrequency));
        Volatile.Write(ref _state, Queued);
        _timer.Change(timeout, Timeout.InfiniteTimeSpan);
        if (cancellationToken.CanBeCanceled)
            _cancellation = cancellationToken.UnsafeRegister(static s => ((OffloadWorkItem)s!).TryAbandon(OffloadOutcome.Cancelled), this);
    }

    /// <summary>Time left until the deadline (zero when passed).</summary>
    public TimeSpan RemainingTime()
    {
        long remaining = Volatile.Read(ref _deadline) - _time.GetTimestamp();
        return remaining <= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds((double)remaining / _time.TimestampFrequency);
    }

    public ValueTask<OffloadOutcome> AsValueTask() => new(this, _core.Version);

    /// <summary>Worker: claims the item; false when it was abandoned while queued.</summary>
    public bool TryStart() => Interlocked.CompareExchange(ref _state, Running, Queued) == Queued;

    /// <summary>Worker: wins the right to write the destination and complete; false when abandoned meanwhile.</summary>
    public bool TryBeginComplete() => Interlocked.CompareExchange(ref _state, Completing, Running) == Running;

    /// <summary>Worker, after <see cref="TryBeginComplete"/> succeeded.</summary>
    public void Complete(OffloadOutcome outcome)
    {
        Volatile.Write(ref _state, Finished);
        _core.SetResult(outcome);
    }

    /// <summary>Timeout, cancellation, or a failed enqueue: completes with <paramref name="outcome"/> unless a worker already won.</summary>
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

    /// <summary>Drops one reference; the last one returns the item to its lane's pool.</summary>
    public void Release()
    {
        if (Interlocked.Decrement(ref _references) != 0) return;
        Request = default;
        Volatile.Write(ref _state, Idle);
        _lane.Return(this);
    }

    /// <summary>Frees the timer of an item dropped from the pool.</summary>
    public void DisposeTimer() => _timer.Dispose();

    OffloadOutcome IValueTaskSource<OffloadOutcome>.GetResult(short token)
    {
        var outcome = _core.GetResult(token);
        _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _cancellation.Dispose();
        _cancellation = default;
        Release();
        return outcome;
    }

    ValueTaskSourceStatus IValueTaskSource<OffloadOutcome>.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource<OffloadOutcome>.OnCompleted(Action<object?> continuation, object? state, short token,
        ValueTaskSourceOnCompletedFlags flags) => _core.OnCompleted(continuation, state, token, flags);
}
