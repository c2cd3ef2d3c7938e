using System.Buffers;
using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Erofs.Accel.Decompression.Engine;

/// <summary>
/// One single-request accelerator inside the engine: its bounded queue, its dedicated worker threads, its circuit
/// breaker and counters. Workers decode into private pooled buffers and copy to the caller's destination only when
/// they win the item (see <see cref="OffloadWorkItem"/>).
/// </summary>
internal sealed class AcceleratorLane
{
    private readonly Channel<OffloadWorkItem> _channel;
    private readonly ConcurrentQueue<OffloadWorkItem> _pool = new();
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly int _poolLimit;
    private readonly Thread[] _workers;
    private readonly TaskCompletionSource _workersExited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _pooled;
    private int _running;
    private int _busyWorkers;
    private long _buffersOutstanding;

    public AcceleratorLane(IDecompressionBackend backend, bool explicitlyRequested, int workers, int queueCapacity,
        CircuitBreaker breaker, TimeProvider time, ILogger logger)
    {
        Backend = backend;
        Name = backend.Name;
        ExplicitlyRequested = explicitlyRequested;
        Availability = backend.Availability;
        Breaker = breaker;
        _time = time;
        _logger = logger;
        _poolLimit = queueCapacity + workers + 64;
        _channel = Channel.CreateBounded<OffloadWorkItem>(new BoundedChannelOptions(queueCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = workers == 1,
            SingleWriter = false,
        });
        _workers = Availability.IsAvailable ? new Thread[workers] : [];
    }

    public IDecompressionBackend Backend { get; }
    public string Name { get; }
    public bool ExplicitlyRequested { get; }

    /// <summary>Availability as seen at engine start (shim backends do not change it later).</summary>
    public BackendAvailability Availability { get; }

    public bool IsAvailable => Availability.IsAvailable;
    public CircuitBreaker Breaker { get; }
    public BackendCounters Counters { get; } = new();
    public int QueueDepth => _channel.Reader.CanCount ? _channel.Reader.Count : 0;
    public long BuffersOutstanding => Interlocked.Read(ref _buffersOutstanding);
    public int WorkerCount => _workers.Length;
    public int BusyWorkers => Volatile.Read(ref _busyWorkers);

    public void Start()
    {
        _running = _workers.Length;
        if (_running == 0)
        {
            _workersExited.TrySetResult();
            return;
        }
        for (int i = 0; i < _workers.Length; i++)
        {
            _workers[i] = new Thread(WorkerLoop) { IsBackground = true, Name = $"erofs-accel {Name} #{i}" };
            _workers[i].Start();
        }
    }

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
        if (Interlocked.Increment(ref _pooled) <= _poolLimit)
        {
            _pool.Enqueue(item);
            return;
        }
        Interlocked.Decrement(ref _pooled);
        item.DisposeTimer();
    }

    /// <summary>
    /// Puts an armed item in the queue, waiting (backpressure) while the queue is full, but never past the item's
    /// deadline or the caller's cancellation. An item that cannot be queued is abandoned with a fallback reason.
    /// </summary>
    public ValueTask EnqueueAsync(OffloadWorkItem item, CancellationToken cancellationToken)
    {
        if (item.IsAbandoned)
        {
            item.Release(); // the queue's reference: it never got there
            return ValueTask.CompletedTask;
        }
        if (_channel.Writer.TryWrite(item)) return ValueTask.CompletedTask;
        return EnqueueSlowAsync(item, cancellationToken);
    }

    private async ValueTask EnqueueSlowAsync(OffloadWorkItem item, CancellationToken cancellationToken)
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
            if (_channel.Writer.TryWrite(item)) return;
        }
        item.TryAbandon(cancellationToken.IsCancellationRequested ? OffloadOutcome.Cancelled : OffloadOutcome.FallBack(FallbackReason.TimedOut));
        item.Release(); // the queue's reference: it never got there
    }

    private void WorkerLoop()
    {
        var reader = _channel.Reader;
        try
        {
            while (true)
            {
                while (reader.TryRead(out var item)) Process(item);
                var wait = reader.WaitToReadAsync();
                bool more = wait.IsCompletedSuccessfully ? wait.Result : wait.AsTask().GetAwaiter().GetResult();
                if (!more) break;
            }
        }
        finally
        {
            if (Interlocked.Decrement(ref _running) == 0) _workersExited.TrySetResult();
        }
    }

    private void Process(OffloadWorkItem item)
    {
        if (!item.TryStart())
        {
            item.Release();
            return;
        }
        Interlocked.Increment(ref _busyWorkers);
        var request = item.Request;
        int length = request.Parameters.OutputLength;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(length);
        Interlocked.Increment(ref _buffersOutstanding);
        try
        {
            DecodeStatus status;
            int written;
            try
            {
                status = Backend.Decode(request.Source.Span, buffer.AsSpan(0, length), request.Parameters, out written);
            }
            catch (Exception e)
            {
                EngineLog.BackendThrew(_logger, Name, e);
                status = DecodeStatus.BackendFailure;
                written = 0;
            }
            var outcome = OffloadOutcome.FromDecode(status, written, length);
            if (item.TryBeginComplete())
            {
                if (outcome.Kind == OffloadKind.Done) buffer.AsSpan(0, length).CopyTo(request.Destination.Span);
                item.Complete(outcome);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            Interlocked.Decrement(ref _buffersOutstanding);
            Interlocked.Decrement(ref _busyWorkers);
            item.Release();
        }
    }

    /// <summary>Stops accepting requests and waits (up to <paramref name="timeout"/>) for the workers to drain and exit.</summary>
    public async Task<bool> StopAsync(TimeSpan timeout)
    {
        _channel.Writer.TryComplete();
        try
        {
            await _workersExited.Task.WaitAsync(timeout).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    /// <summary>Frees pooled items (after the workers stopped).</summary>
    public void DrainPool()
    {
        while (_pool.TryDequeue(out var item))
        {
            Interlocked.Decrement(ref _pooled);
            item.DisposeTimer();
        }
    }
}
