using System.Collections.Concurrent;
using Erofs.Accel.Fuse.Transport;
using Microsoft.Extensions.Logging;

namespace Erofs.Accel.Fuse.Server;

/// <summary>
/// The classic transport: threads that read requests from /dev/fuse, dispatch them and write the replies, each on its
/// own clone of the connection's descriptor (FUSE_DEV_IOC_CLONE) where the kernel allows it. Starts with one; whenever
/// the last idle worker picks up a request another is started, up to the limit; surplus idle workers end. The pool
/// completes when the kernel ends the session (every read returns ENODEV). With io_uring serving the requests, one
/// worker stays here for what the kernel still sends over /dev/fuse (INIT, FORGET, INTERRUPT) and to see the end.
/// </summary>
internal sealed class WorkerPool
{
    private readonly FuseDevice _device;
    private readonly RequestDispatcher _dispatcher;
    private readonly int _maxWorkers;
    private readonly int _maxIdle;
    private readonly int _requestBufferSize;
    private readonly int _replyBufferSize;
    private readonly ILogger _logger;
    private readonly Action _onSessionStarted;
    private readonly IMessageTap? _tap;
    private volatile bool _cloneDevices;
    private readonly ConcurrentBag<WorkerContext> _contexts = new();
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly object _spawnLock = new();
    private int _workers;
    private int _idle;
    private int _peakWorkers;
    private int _nextWorkerNumber;
    private volatile bool _ended;

    public WorkerPool(
        FuseDevice device,
        RequestDispatcher dispatcher,
        int maxWorkers,
        int maxIdle,
        int requestBufferSize,
        int replyBufferSize,
        ILogger logger,
        Action onSessionStarted,
        IMessageTap? tap,
        bool cloneDevicePerWorker = true)
    {
        _device = device;
        _dispatcher = dispatcher;
        _maxWorkers = Math.Max(1, maxWorkers);
        _maxIdle = Math.Max(1, maxIdle);
        _requestBufferSize = requestBufferSize;
        _replyBufferSize = replyBufferSize;
        _logger = logger;
        _onSessionStarted = onSessionStarted;
        _tap = tap;
        _cloneDevices = cloneDevicePerWorker;
    }

    /// <summary>Completes when the last worker has ended after the session closed.</summary>
    public Task Completion => _completion.Task;

    public int WorkerCount => Volatile.Read(ref _workers);

    public int PeakWorkers => Volatile.Read(ref _peakWorkers);

    /// <summary>True when a worker stopped for a reason other than the kernel closing the session.</summary>
    public bool Faulted { get; private set; }

    public void Start() => TrySpawn(force: true);

    private void TrySpawn(bool force)
    {
        lock (_spawnLock)
        {
            if (_ended || (!force && _workers >= _maxWorkers)) return;
            _workers++;
            if (_workers > _peakWorkers) _peakWorkers = _workers;
            var thread = new Thread(WorkerMain)
            {
                IsBackground = true,
                Name = $"fuse-worker-{++_nextWorkerNumber}",
            };
            try
            {
                thread.Start();
            }
            catch (OutOfMemoryException e)
            {
                _workers--;
                _logger.LogError(e, "FUSE: could not start a worker thread");
                if (_workers == 0) _completion.TrySetResult();
            }
        }
    }

    private void WorkerMain()
    {
        if (!_contexts.TryTake(out var context)) context = new WorkerContext(_requestBufferSize, _replyBufferSize);
        try
        {
            var device = DeviceFor(context);
            while (!_ended)
            {
                Interlocked.Increment(ref _idle);
                var length = device.ReadRequest(context.RequestBuffer, out var readError);
                var idleNow = Interlocked.Decrement(ref _idle);
                if (length < 0)
                {
                    if (readError is Errno.EINTR or Errno.EAGAIN or Errno.ENOENT) continue;
                    if (readError != Errno.ENODEV)
                    {
                        Faulted = true;
                        _logger.LogError("FUSE: reading /dev/fuse failed: {Error}; ending the session", readError);
                    }
                    _ended = true;
                    break;
                }
                if (idleNow == 0 && !_ended) TrySpawn(force: false);

                Serve(device, context, length);

                if (Volatile.Read(ref _idle) >= _maxIdle) break;
            }
        }
        catch (Exception e)
        {
            // nothing in Serve should throw; if it does, this worker ends but the mount lives on
            _logger.LogError(e, "FUSE: worker failed");
            if (Volatile.Read(ref _idle) == 0 && !_ended) TrySpawn(force: true);
        }
        finally
        {
            context.Reply.ReleaseExternal();
            _contexts.Add(context);
            bool last;
            lock (_spawnLock) last = --_workers == 0;
            if (last)
            {
                _ended = true;
                // the connection is gone: the clones have nothing left in processing
                foreach (var idle in _contexts)
                {
                    idle.Device?.Dispose();
                    idle.Device = null;
                }
                _completion.TrySetResult();
            }
        }
    }

    /// <summary>The descriptor a worker reads from: its context's clone, made on first use, or the session's.</summary>
    private FuseDevice DeviceFor(WorkerContext context)
    {
        if (context.Device is not null || !_cloneDevices) return context.Device ?? _device;
        if (_device.TryClone(out var clone, out var error))
        {
            context.Device = clone;
            return clone!;
        }
        // an old kernel (ENOTTY) or a closed session: share the one descriptor from now on
        _cloneDevices = false;
        _logger.LogDebug("FUSE: cannot clone the /dev/fuse descriptor ({Error}); workers share one", error);
        return _device;
    }

    private void Serve(FuseDevice device, WorkerContext context, int length)
    {
        var message = context.RequestBuffer.AsSpan(0, length);
        _tap?.OnRequest(message);
        var result = _dispatcher.Dispatch(message, context);
        if (result == DispatchResult.NoReply) return;
        try
        {
            // the reply goes back on the descriptor the request came from
            var writeError = device.WriteReply(context.Reply.Segments);
            if (_tap is not null) _tap.OnReply(message, context.Reply.ToArray());
            if (writeError == Errno.ENODEV)
            {
                _ended = true;
            }
            else if (writeError != Errno.Success && writeError != Errno.ENOENT)
            {
                // ENOENT: the request was interrupted and the kernel no longer waits for it
                _logger.LogError("FUSE: writing the reply to request {Unique} failed: {Error}", context.Reply.Unique, writeError);
            }
        }
        finally
        {
            context.Reply.ReleaseExternal();
        }
        _dispatcher.AfterReply(context);
        if (result == DispatchResult.ReplySessionStarted)
        {
            try
            {
                _onSessionStarted();
            }
            catch (Exception e)
            {
                _logger.LogWarning(e, "FUSE: post-INIT setup failed");
            }
        }
    }
}
