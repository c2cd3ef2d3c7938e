namespace Erofs.Accel.Decompression.Engine;

/// <summary>
/// Per-backend circuit breaker: closed until <see cref="CircuitBreakerOptions.FailureThreshold"/> consecutive
/// failures, then open for a while, then half-open with exactly one probe request whose outcome closes it or reopens
/// it for twice as long. After <see cref="CircuitBreakerOptions.MaxFailedProbes"/> failed probes it stays disabled.
/// The closed path is lock-free.
/// </summary>
internal sealed class CircuitBreaker
{
    private readonly CircuitBreakerOptions _options;
    private readonly TimeProvider _time;
    private readonly Action<BreakerState, string>? _onTransition;
    private readonly object _lock = new();
    private volatile BreakerState _state = BreakerState.Closed;
    private int _consecutiveFailures;
    private int _failedProbes;
    private long _openUntil;
    private bool _probeInFlight;
    private TimeSpan _currentOpen;
    private long _trips;

    public CircuitBreaker(CircuitBreakerOptions options, TimeProvider time, Action<BreakerState, string>? onTransition = null)
    {
        _options = options;
        _time = time;
        _onTransition = onTransition;
        _currentOpen = options.OpenDuration;
    }

    public BreakerState State => _state;

    /// <summary>Times the breaker went from closed to open.</summary>
    public long Trips => Interlocked.Read(ref _trips);

    /// <summary>
    /// True when a request may go to the backend now. <paramref name="isProbe"/> is true for the single request let
    /// through a half-open breaker; its outcome must be reported with isProbe set.
    /// </summary>
    public bool TryAcquire(out bool isProbe)
    {
        isProbe = false;
        if (_state == BreakerState.Closed) return true;
        lock (_lock)
        {
            switch (_state)
            {
                case BreakerState.Closed:
                    return true;
                case BreakerState.Disabled:
                    return false;
                case BreakerState.Open:
                    if (_time.GetTimestamp() < _openUntil) return false;
                    Transition(BreakerState.HalfOpen, "open period over, probing");
                    break;
            }
            if (_probeInFlight) return false;
            _probeInFlight = true;
            isProbe = true;
            return true;
        }
    }

    public void OnSuccess(bool isProbe)
    {
        if (isProbe)
        {
            lock (_lock)
            {
                _probeInFlight = false;
                _failedProbes = 0;
                _currentOpen = _options.OpenDuration;
                Volatile.Write(ref _consecutiveFailures, 0);
                if (_state == BreakerState.HalfOpen) Transition(BreakerState.Closed, "probe succeeded");
            }
            return;
        }
        if (Volatile.Read(ref _consecutiveFailures) != 0) Interlocked.Exchange(ref _consecutiveFailures, 0);
    }

    public void OnFailure(bool isProbe, string why)
    {
        if (isProbe)
        {
            lock (_lock)
            {
                _probeInFlight = false;
                _failedProbes++;
                if (_options.MaxFailedProbes > 0 && _failedProbes >= _options.MaxFailedProbes)
                {
                    Transition(BreakerState.Disabled, $"{_failedProbes} probes failed in a row (last: {why})");
                    return;
                }
                var doubled = _currentOpen + _currentOpen;
                _currentOpen = doubled > _options.MaxOpenDuration ? _options.MaxOpenDuration : doubled;
                Open($"probe failed: {why}");
            }
            return;
        }
        int failures = Interlocked.Increment(ref _consecutiveFailures);
        if (failures < _options.FailureThreshold || _state != BreakerState.Closed) return;
        lock (_lock)
        {
            if (_state != BreakerState.Closed) return;
            Interlocked.Increment(ref _trips);
            Open($"{failures} consecutive failures (last: {why})");
        }
    }

    /// <summary>The request ended without telling anything about the backend (cancelled, not taken).</summary>
    public void OnNeutral(bool isProbe)
    {
        if (!isProbe) return;
        lock (_lock) _probeInFlight = false;
    }

    /// <summary>Takes the backend out of rotation for good (engine shutting down, backend hung at dispose).</summary>
    public void Disable(string why)
    {
        lock (_lock)
        {
            if (_state != BreakerState.Disabled) Transition(BreakerState.Disabled, why);
        }
    }

    private void Open(string why)
    {
        _openUntil = _time.GetTimestamp() + (long)(_currentOpen.TotalSeconds * _time.TimestampFrequency);
        Transition(BreakerState.Open, $"{why}; retrying in {_currentOpen.TotalSeconds:0.#} s");
    }

    private void Transition(BreakerState next, string why)
    {
        _state = next;
        _onTransition?.Invoke(next, why);
    }
}
