using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Erofs.Accel.Decompression.Engine;

/// <summary>
/// One batch backend (OpenCL) inside the engine: a bounded queue of batches, worker tasks that hand each batch to
/// <see cref="IBatchDecompressionBackend.DecodeBatchAsync"/>, a breaker and counters.
/// </summary>
internal sealed class BatchLane
{
    private readonly Channel<BatchWorkItem> _channel;
    private readonly Task[] _workers;
    private readonly ILogger _logger;
    private long _buffersOutstanding;

    public BatchLane(IBatchDecompressionBackend backend, bool explicitlyRequested, int workers, int queueCapacity,
        CircuitBreaker breaker, ILogger logger)
    {
        Backend = backend;
        Name = backend.Name;
        ExplicitlyRequested = explicitlyRequested;
        Availability = backend.Availability;
        Breaker = breaker;
        _logger = logger;
        _channel = Channel.CreateBounded<BatchWorkItem>(new BoundedChannelOptions(queueCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = workers == 1,
        });
        _workers = new Task[Availability.IsAvailable ? workers : 0];
    }

    public IBatchDecompressionBackend Backend { get; }
    public string Name { get; }
    public bool ExplicitlyRequested { get; }
    public BackendAvailability Availability { get; }
    public bool IsAvailable => Availability.IsAvailable;
    public CircuitBreaker Breaker { get; }
    public BackendCounters Counters { get; } = new();
    public long BuffersOutstanding => Interlocked.Read(ref _buffersOutstanding);
    public int QueueDepth => _channel.Reader.CanCount ? _channel.Reader.Count : 0;

    public void BufferRented() => Interlocked.Increment(ref _buffersOutstanding);
    public void BufferReturned() => Interlocked.Decrement(ref _buffersOutstanding);

    public void Start()
    {
        for (int i = 0; i < _workers.Length; i++) _workers[i] = Task.Run(WorkerLoopAsync);
    }

    /// <summary>
    /// Queues a batch (waiting while the queue is full); false when the lane is shutting down or the caller cancelled
    /// while waiting (the batch then never reached a worker).
    /// </summary>
    public async ValueTask<bool> EnqueueAsync(BatchWorkItem batch, CancellationToken cancellationToken)
    {
        try
        {
            await _channel.Writer.WriteAsync(batch, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is ChannelClosedException or OperationCanceledException)
        {
            return false;
        }
    }

    private async Task WorkerLoopAsync()
    {
        var reader = _channel.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (reader.TryRead(out var batch)) await ProcessAsync(batch).ConfigureAwait(false);
        }
    }

    private async Task ProcessAsync(BatchWorkItem batch)
    {
        try
        {
            if (!batch.TryStart()) return;
            Exception? error = null;
            try
            {
                await Backend.DecodeBatchAsync(batch.Requests.AsMemory(0, batch.Count), batch.Results.AsMemory(0, batch.Count))
                    .ConfigureAwait(false);
            }
            catch (Exception e)
            {
                EngineLog.BackendThrew(_logger, Name, e);
                error = e;
            }
            if (batch.TryBeginComplete()) batch.Complete(error);
        }
        finally
        {
            batch.Release();
        }
    }

    /// <summary>Stops accepting batches and waits (up to <paramref name="timeout"/>) for the workers to finish.</summary>
    public async Task<bool> StopAsync(TimeSpan timeout)
    {
        _channel.Writer.TryComplete();
        try
        {
            await Task.WhenAll(_workers).WaitAsync(timeout).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }
}
