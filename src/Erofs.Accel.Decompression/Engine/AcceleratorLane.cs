using System.Collections.Concurrent;
using System.Threading.Channels;
using Erofs.Accel.Decompression.Engine.Native;
using Microsoft.Extensions.Logging;

namespace Erofs.Accel.Decompression.Engine;

/// <summary>
/// One accelerator inside the engine — single-request (QPL, QAT, any <see cref="IDecompressionBackend"/>) or batch
/// (<see cref="IBatchDecompressionBackend"/>, OpenCL): its bounded queue of <see cref="OffloadWorkItem"/>s, the driver
/// threads that hand them to the backend, its circuit breaker and counters.
/// <para>
/// The backend is created on first use (<see cref="Backend"/>), so a command that never decodes never initialises an
/// accelerator. How drivers work depends on what the backend can do:
/// <list type="bullet">
/// <item>a shim whose submit returns while the device works (QPL): one driver keeps up to the backend's
/// <see cref="IAcceleratorBackend.MaxConcurrency"/> jobs in flight — it submits, polls, submits the next — which is
/// what IAA needs for throughput (the shim's software path answers inside submit and runs the same code);</item>
/// <item>any other single-request backend (QATzip, which decodes inside submit): as many drivers as it runs decodes
/// at once, each decoding one request at a time;</item>
/// <item>a batch backend: a few drivers, each handing one whole item (a batch) to DecodeBatchAsync.</item>
/// </list>
/// Drivers decode into the item's private buffers and never touch the caller's memory.
/// </para>
/// </summary>
internal sealed class AcceleratorLane
{
    private readonly Func<IDecompressionBackend> _create;
    private readonly Action<AcceleratorLane> _onStarted;
    private readonly object _startLock = new();
    private readonly Channel<OffloadWorkItem> _channel;
    private readonly ConcurrentQueue<OffloadWorkItem> _pool = new();
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly int _requestedWorkers;
    private readonly int _poolLimit;
    private readonly TaskCompletionSource _driversExited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile IDecompressionBackend? _backend;
    private BackendAvailability _availability;
    private ShimAcceleratorBackend? _submitter;
    private IBatchDecompressionBackend? _batch;
    private Thread[] _drivers = [];
    private int _jobsPerDriver = 1;
    private int _spareOutputBytes;
    private int _pooled;
    private int _running;
    private int _busyDrivers;
    private long _buffersOutstanding;
    private int _mostInFlight;

    /// <param name="create">Makes the backend, on first use.</param>
    /// <param name="workers">Drivers for backends without in-flight jobs; 0 = the backend's MaxConcurrency (2 when
    /// it does not say, or for batch backends).</param>
    /// <param name="onStarted">Told once the backend exists (the engine logs an unavailable one).</param>
    public AcceleratorLane(string name, IReadOnlyCollection<CompressionAlgorithm> algorithms, bool takesBatches,
        bool explicitlyRequested, Func<IDecompressionBackend> create, int workers, int queueCapacity, CircuitBreaker breaker,
        TimeProvider time, ILogger logger, Action<AcceleratorLane> onStarted)
    {
        Name = name;
        Algorithms = algorithms;
        TakesBatches = takesBatches;
        ExplicitlyRequested = explicitlyRequested;
        Breaker = breaker;
        _create = create;
        _requestedWorkers = workers;
        _time = time;
        _logger = logger;
        _onStarted = onStarted;
        _poolLimit = queueCapacity + 64;
        _channel = Channel.CreateBounded<OffloadWorkItem>(new BoundedChannelOptions(queueCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = false,
            SingleWriter = false,
        });
    }

    public string Name { get; }

    /// <summary>Algorithms the backend decodes at all (known before it is created).</summary>
    public IReadOnlyCollection<CompressionAlgorithm> Algorithms { get; }

    /// <summary>A batch backend (items of many requests go to DecodeBatchAsync).</summary>
    public bool TakesBatches { get; }

    public bool ExplicitlyRequested { get; }
    public CircuitBreaker Breaker { get; }
    public BackendCounters Counters { get; } = new();

    /// <summary>Whether the backend has been created (first use).</summary>
    public bool IsStarted => _backend is not null;

    /// <summary>The backend, created (and the drivers started) on first access.</summary>
    public IDecompressionBackend Backend => _backend ?? Start();

    /// <summary>Availability as the backend reported it when created (shim backends do not change it later).</summary>
    public BackendAvailability Availability
    {
        get
        {
            _ = Backend;
            return _availability;
        }
    }

    public bool IsAvailable => Availability.IsAvailable;

    /// <summary>The batch backend of a batch lane.</summary>
    public IBatchDecompressionBackend BatchBackend => (IBatchDecompressionBackend)Backend;

    public int QueueDepth => _channel.Reader.CanCount ? _channel.Reader.Count : 0;
    public long BuffersOutstanding => Interlocked.Read(ref _buffersOutstanding);
    public int DriverCount => _drivers.Length;

    /// <summary>Requests one driver keeps on the device at once.</summary>
    public int JobsPerDriver => _jobsPerDriver;

    public int BusyDrivers => Volatile.Read(ref _busyDrivers);

    /// <summary>Most requests one driver has had on the device at once (submitted, not yet collected).</summary>
    public int MostJobsInFlight => Volatile.Read(ref _mostInFlight);

    public void BufferRented() => Interlocked.Increment(ref _buffersOutstanding);
    public void BufferReturned() => Interlocked.Decrement(ref _buffersOutstanding);

    private IDecompressionBackend Start()
    {
        lock (_startLock)
        {
            if (_backend is { } existing) return existing;
            var backend = _create();
            _availability = backend.Availability;
            _spareOutputBytes = (backend as ShimAcceleratorBackend)?.SpareOutputBytes ?? 0;
            int drivers;
            if (TakesBatches)
            {
                _batch = (IBatchDecompressionBackend)backend;
                drivers = _requestedWorkers > 0 ? _requestedWorkers : 2;
            }
            else if (backend is ShimAcceleratorBackend { KeepsJobsInFlight: true } submitter)
            {
                _submitter = submitter;
                drivers = 1;
                _jobsPerDriver = Math.Max(1, submitter.MaxConcurrency);
            }
            else
            {
                drivers = _requestedWorkers > 0 ? _requestedWorkers
                    : backend is IAcceleratorBackend a ? Math.Max(1, a.MaxConcurrency) : 2;
            }
            _drivers = _availability.IsAvailable ? new Thread[drivers] : [];
            _running = _drivers.Length;
            if (_running == 0) _driversExited.TrySetResult();
            for (int i = 0; i < _drivers.Length; i++)
            {
                _drivers[i] = new Thread(DriverLoop) { IsBackground = true, Name = $"erofs-accel {Name} #{i}" };
                _drivers[i].Start();
            }
            _backend = backend;
            _onStarted(this);
            return backend;
        }
    }

    // ---- items ---------------------------------------------------------------------------------------------------

    public OffloadWorkItem Rent()
    {
        if (_pool.TryDequeue(out var item))
        {
            Interlocked.Decrement(ref _pooled);
            return item;
        }
        return new OffloadWorkItem(this, _time);
    }

    public void Return(OffloadWorkItem item)
    {
        // big batch items are not kept: their arrays would stay around
        if (item.Capacity <= 64 && Interlocked.Increment(ref _pooled) <= _poolLimit)
        {
            _pool.Enqueue(item);
            return;
        }
        if (item.Capacity <= 64) Interlocked.Decrement(ref _pooled);
        item.DisposeTimer();
    }

    /// <summary>
    /// Puts an armed item in the queue, waiting (backpressure) while the queue is full, but never past the item's
    /// deadline or the caller's cancellation. False when the item could not be queued: it is then abandoned with a
    /// fallback reason (or cancelled) and the queue's reference is dropped.
    /// </summary>
    public ValueTask<bool> EnqueueAsync(OffloadWorkItem item, CancellationToken cancellationToken)
    {
        if (item.IsAbandoned)
        {
            item.Release(); // the queue's reference: it never got there
            return ValueTask.FromResult(false);
        }
        if (_channel.Writer.TryWrite(item)) return ValueTask.FromResult(true);
        return EnqueueSlowAsync(item, cancellationToken);
    }

    private async ValueTask<bool> EnqueueSlowAsync(OffloadWorkItem item, CancellationToken cancellationToken)
    {
        // Slow path only (queue full): the allocations here do not touch the common case.
        using var deadline = new CancellationTokenSource(item.RemainingTime(), _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, cancellationToken);
        while (!item.IsAbandoned)
        {
            bool open;
            try
            {
                open = await _channel.Writer.WaitToWriteAsync(linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            if (!open)
            {
                item.TryAbandon(OffloadOutcome.FallBack(FallbackReason.BackendUnavailable));
                break;
            }
            if (_channel.Writer.TryWrite(item)) return true;
        }
        item.TryAbandon(cancellationToken.IsCancellationRequested ? OffloadOutcome.Cancelled : OffloadOutcome.FallBack(FallbackReason.TimedOut));
        item.Release(); // the queue's reference: it never got there
        return false;
    }

    // ---- drivers -------------------------------------------------------------------------------------------------

    private void DriverLoop()
    {
        var reader = _channel.Reader;
        var active = new List<OffloadWorkItem>();
        int inFlight = 0; // requests on the device (submitted, not finished)
        var spin = new SpinWait();
        try
        {
            while (true)
            {
                bool progressed = false;

                // 1. Keep the device busy: requests of items already taken first, then new items, while there is room.
                for (int i = 0; i < active.Count && inFlight < _jobsPerDriver; i++)
                    progressed |= StartRequests(active[i], ref inFlight);
                while (inFlight < _jobsPerDriver && active.Count < _jobsPerDriver && reader.TryRead(out var item))
                {
                    if (!item.TryStart())
                    {
                        item.Release(); // abandoned while queued: the queue's reference
                        continue;
                    }
                    if (active.Count == 0) Interlocked.Increment(ref _busyDrivers);
                    active.Add(item);
                    StartRequests(item, ref inFlight);
                    progressed = true;
                }

                // 2. Collect finished decodes; retire items nothing of which runs any more.
                for (int i = 0; i < active.Count; i++)
                {
                    var item = active[i];
                    progressed |= PollRequests(item, ref inFlight);
                    if (item.Unfinished > 0) continue;
                    Retire(item);
                    active.RemoveAt(i--);
                    if (active.Count == 0) Interlocked.Decrement(ref _busyDrivers);
                }

                if (active.Count == 0)
                {
                    spin.Reset();
                    var wait = reader.WaitToReadAsync();
                    bool more = wait.IsCompletedSuccessfully ? wait.Result : wait.AsTask().GetAwaiter().GetResult();
                    if (!more) break;
                }
                else if (progressed)
                {
                    spin.Reset();
                }
                else
                {
                    // Jobs are on the device and nothing else can start: poll again soon (no 1 ms sleeps: IAA answers
                    // in microseconds).
                    spin.SpinOnce(sleep1Threshold: -1);
                }
            }
        }
        finally
        {
            if (Interlocked.Decrement(ref _running) == 0) _driversExited.TrySetResult();
        }
    }

    /// <summary>Hands the item's next requests to the backend while the driver has room; true when any started.</summary>
    private bool StartRequests(OffloadWorkItem item, ref int inFlight)
    {
        if (item.NextToStart >= item.Count) return false;
        if (item.IsAbandoned)
        {
            // nobody waits for the rest any more: do not start it
            item.Unfinished -= item.Count - item.NextToStart;
            item.NextToStart = item.Count;
            return true;
        }
        if (_batch is not null)
        {
            item.NextToStart = item.Count;
            for (int k = 0; k < item.Count; k++) item.PrepareOutput(k, 0);
            DecodeBatch(item);
            return true;
        }
        int first = item.NextToStart;
        while (item.NextToStart < item.Count && inFlight < _jobsPerDriver)
        {
            int k = item.NextToStart++;
            item.PrepareOutput(k, _spareOutputBytes);
            ref readonly var request = ref item.Request(k);
            if (_submitter is not null && request.Parameters.DecodedSkip == 0)
            {
                ShimDecodeOperation? operation;
                DecodeStatus status;
                bool busy;
                try
                {
                    operation = _submitter.Submit(request.Source, item.OutputBuffer(k), request.Parameters, out status, out busy);
                }
                catch (Exception e)
                {
                    EngineLog.BackendThrew(_logger, Name, e);
                    operation = null;
                    status = DecodeStatus.BackendFailure;
                    busy = false;
                }
                if (busy)
                {
                    // the device queue is full: submit this request again once something finished (or the deadline
                    // takes the item away); its buffer stays with it
                    item.NextToStart--;
                    return item.NextToStart > first;
                }
                if (operation is null)
                {
                    item.Finish(k, status, 0);
                    continue;
                }
                item.Operations[k] = operation;
                if (++inFlight > _mostInFlight) Volatile.Write(ref _mostInFlight, inFlight);
                continue;
            }
            DecodeNow(item, k);
        }
        return item.NextToStart > first;
    }

    /// <summary>Synchronous decode of one request (backends without submit, and requests with a skip).</summary>
    private void DecodeNow(OffloadWorkItem item, int k)
    {
        ref readonly var request = ref item.Request(k);
        DecodeStatus status;
        int written;
        try
        {
            // the whole private buffer: a shim that needs room past the end (QAT) decodes into it without a copy
            status = Backend.Decode(request.Source.Span, item.OutputBuffer(k).Span, request.Parameters, out written);
        }
        catch (Exception e)
        {
            EngineLog.BackendThrew(_logger, Name, e);
            status = DecodeStatus.BackendFailure;
            written = 0;
        }
        item.Finish(k, status, written);
    }

    private void DecodeBatch(OffloadWorkItem item)
    {
        try
        {
            var decoding = _batch!.DecodeBatchAsync(item.Requests, item.Results);
            if (!decoding.IsCompletedSuccessfully) decoding.AsTask().GetAwaiter().GetResult();
        }
        catch (Exception e)
        {
            EngineLog.BackendThrew(_logger, Name, e);
            item.Error = e;
        }
        item.Unfinished = 0;
    }

    /// <summary>Asks the device about the item's submitted requests; true when any finished.</summary>
    private bool PollRequests(OffloadWorkItem item, ref int inFlight)
    {
        bool finished = false;
        var operations = item.Operations;
        for (int k = 0; k < item.NextToStart; k++)
        {
            var operation = operations[k];
            if (operation is null) continue;
            DecodeStatus? status;
            try
            {
                status = operation.Poll();
            }
            catch (Exception e)
            {
                EngineLog.BackendThrew(_logger, Name, e);
                status = DecodeStatus.BackendFailure;
            }
            if (status is null) continue;
            item.Finish(k, status.Value, operation.BytesWritten);
            operation.Dispose();
            operations[k] = null;
            inFlight--;
            finished = true;
        }
        return finished;
    }

    /// <summary>Nothing of the item runs any more: complete it unless it was abandoned, and drop the lane's reference.</summary>
    private static void Retire(OffloadWorkItem item)
    {
        if (item.TryBeginComplete())
            item.Complete(item.Error is null ? OffloadOutcome.Done : OffloadOutcome.FallBack(FallbackReason.BackendFailed));
        item.Release();
    }

    /// <summary>Stops accepting requests and waits (up to <paramref name="timeout"/>) for the drivers to drain and exit.</summary>
    public async Task<bool> StopAsync(TimeSpan timeout)
    {
        _channel.Writer.TryComplete();
        lock (_startLock)
        {
            if (_backend is null) _driversExited.TrySetResult(); // never started: nothing to wait for
        }
        try
        {
            await _driversExited.Task.WaitAsync(timeout).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    /// <summary>Frees pooled items (after the drivers stopped).</summary>
    public void DrainPool()
    {
        while (_pool.TryDequeue(out var item))
        {
            Interlocked.Decrement(ref _pooled);
            item.DisposeTimer();
        }
    }
}
