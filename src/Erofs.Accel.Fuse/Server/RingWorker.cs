using System.Collections.Concurrent;
using Erofs.Accel.Fuse.Protocol;
using Erofs.Accel.Fuse.Transport;
using Erofs.Accel.Interop;
using Microsoft.Extensions.Logging;

namespace Erofs.Accel.Fuse.Server;

/// <summary>
/// One io_uring serving thread, pinned to its CPU. Its life: prepare (pin, set up the ring and one
/// <see cref="WorkerContext"/> per entry, whose reply buffer is the entry's payload buffer), wait at the gate, then
/// either register every entry and serve until the connection ends or a stop is requested, or (cancelled) release
/// everything. A request is rebuilt as a /dev/fuse message in the context's request buffer, dispatched, its reply
/// gathered into the payload buffer and committed; the commits of one batch of completions go to the kernel together
/// with the wait for the next batch (one io_uring_enter).
/// </summary>
internal sealed class RingWorker
{
    /// <summary>How long a fresh registration may take to fail before it counts as done.</summary>
    private const int RegistrationSettleMilliseconds = 20;
    private const int MaximumRegistrationRetries = 500;
    private const int StopDrainRounds = 5;
    private const int StopDrainMilliseconds = 20;

    /// <summary>Buffers of channels stopped while the kernel may still hold their entries: kept alive for good.</summary>
    private static readonly ConcurrentBag<object> Abandoned = new();

    private readonly FuseDevice _device;
    private readonly int _releaseAfterDevice;
    private readonly FuseUringQueuePlan.Thread _plan;
    private readonly bool _pin;
    private readonly int _requestBufferSize;
    private readonly int _replyBufferSize;
    private readonly ILogger _logger;
    private readonly ManualResetEventSlim _prepared = new();
    private readonly ManualResetEventSlim _gate = new();
    private readonly ManualResetEventSlim _registered = new();
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly object _channelLock = new();
    private WorkerContext[] _contexts = [];
    private FuseUringChannel? _channel;
    private RequestDispatcher? _dispatcher;
    private IMessageTap? _tap;
    private volatile bool _start;
    private volatile bool _stopRequested;
    private long _requests;
    private int _live;
    private int _retries;
    private bool _reported;

    public RingWorker(FuseDevice device, int releaseAfterDevice, FuseUringQueuePlan.Thread plan, bool pin, int requestBufferSize, int replyBufferSize, ILogger logger)
    {
        _device = device;
        _releaseAfterDevice = releaseAfterDevice;
        _plan = plan;
        _pin = pin;
        _requestBufferSize = requestBufferSize;
        _replyBufferSize = replyBufferSize;
        _logger = logger;
    }

    public Task Completion => _completion.Task;

    /// <summary>Why preparing failed, once <see cref="WaitPrepared"/> returned; null when it worked.</summary>
    public string? PrepareFailure { get; private set; }

    /// <summary>Why registering failed, once <see cref="WaitRegistered"/> returned; null when it worked.</summary>
    public string? RegistrationFailure { get; private set; }

    /// <summary>True when the thread stopped on something other than the end of the connection or a stop request.</summary>
    public bool Faulted { get; private set; }

    public long RequestCount => Interlocked.Read(ref _requests);

    public void Launch()
    {
        var thread = new Thread(Main) { IsBackground = true, Name = $"fuse-ring-{_plan.Cpu}" };
        thread.Start();
    }

    public bool WaitPrepared(TimeSpan timeout) => _prepared.Wait(timeout);

    public bool WaitRegistered(TimeSpan timeout) => _registered.Wait(timeout);

    /// <summary>Lets the prepared thread register its entries and serve.</summary>
    public void Open(RequestDispatcher dispatcher, IMessageTap? tap)
    {
        _dispatcher = dispatcher;
        _tap = tap;
        _start = true;
        _gate.Set();
    }

    /// <summary>Stops the thread: before the gate it releases everything; serving, it leaves at the next wake-up.</summary>
    public void Stop()
    {
        _stopRequested = true;
        _gate.Set();
        lock (_channelLock) _channel?.RequestStop();
    }

    private void Main()
    {
        try
        {
            if (_pin && !Libc.PinCurrentThreadTo(_plan.Cpu))
                _logger.LogDebug("FUSE: could not pin the io_uring thread to CPU {Cpu}: {Error}", _plan.Cpu, Libc.Describe(Libc.LastError));
            if (!Prepare()) return;
            _gate.Wait();
            if (!_start || _stopRequested)
            {
                ReleaseChannel(entriesReleased: true);
                return;
            }
            Serve(_channel!);
        }
        catch (Exception e)
        {
            Faulted = true;
            _logger.LogError(e, "FUSE: the io_uring thread of CPU {Cpu} failed", _plan.Cpu);
            RegistrationFailure ??= e.Message;
            ReleaseChannel(entriesReleased: false);
        }
        finally
        {
            _prepared.Set();
            _registered.Set();
            _completion.TrySetResult();
        }
    }

    private bool Prepare()
    {
        try
        {
            _contexts = _plan.EntryQueues.Select(_ => new WorkerContext(_requestBufferSize, _replyBufferSize)).ToArray();
            var entries = _plan.EntryQueues
                .Select((queue, i) => new FuseUringChannel.EntrySpecification(queue, _contexts[i].Reply.BodyAddress, _contexts[i].Reply.BodyCapacity))
                .ToArray();
            var channel = FuseUringChannel.Create(_device.Descriptor, entries, _releaseAfterDevice);
            lock (_channelLock) _channel = channel;
            return true;
        }
        catch (IoUringException e)
        {
            PrepareFailure = e.Message;
            return false;
        }
        finally
        {
            _prepared.Set();
        }
    }

    private void Serve(FuseUringChannel channel)
    {
        _live = channel.EntryCount;
        for (var i = 0; i < channel.EntryCount; i++) channel.QueueRegister(i);
        channel.WatchStopEvent();
        var stop = false;
        while (_live > 0 && !stop && !_stopRequested)
        {
            // the commits prepared while serving the last batch go out with this call
            var error = channel.SubmitAndWait(_reported ? -1 : RegistrationSettleMilliseconds);
            if (error == Errno.ETIME)
            {
                ReportRegistration(null);
                continue;
            }
            if (error != Errno.Success)
            {
                Faulted = true;
                _logger.LogError("FUSE: io_uring_enter on the ring of CPU {Cpu} failed: {Error}", _plan.Cpu, Libc.Describe(error));
                ReportRegistration($"io_uring_enter failed: {Libc.Describe(error)}");
                break;
            }
            stop = TakeCompletions(channel, serve: true);
        }
        // asked to stop: the kernel may be tearing the entries down right now; collect what it sends back
        for (var round = 0; round < StopDrainRounds && _live > 0; round++)
        {
            if (channel.SubmitAndWait(StopDrainMilliseconds) != Errno.Success) break;
            TakeCompletions(channel, serve: false);
        }
        ReportRegistration(_live == 0 ? "every io_uring entry ended before a request arrived" : null);
        ReleaseChannel(entriesReleased: _live == 0);
    }

    /// <summary>Handles every posted completion; true when the stop event fired.</summary>
    private bool TakeCompletions(FuseUringChannel channel, bool serve)
    {
        var stop = false;
        while (channel.TryTakeCompletion(out var token, out var result))
        {
            if (token == FuseUringChannel.StopToken)
            {
                stop = true;
                continue;
            }
            var entry = (int)token;
            if (result == 0)
            {
                ReportRegistration(null);
                if (serve)
                {
                    ServeEntry(channel, entry);
                }
                else
                {
                    // stopping: the request gets an error instead of being served
                    AnswerError(channel, entry, _contexts[entry].Reply, Errno.EIO);
                    channel.QueueCommit(entry);
                }
                continue;
            }
            var errno = (Errno)(-result);
            if (errno is Errno.EAGAIN or Errno.EINTR && _retries++ < MaximumRegistrationRetries)
            {
                // EAGAIN: the connection was not initialised yet when the entry arrived
                Thread.Sleep(1);
                channel.QueueAgain(entry);
                continue;
            }
            _live--;
            if (channel.LastCommandOf(entry) == FuseUringCommand.Register && !_reported)
            {
                ReportRegistration($"registering an io_uring entry for queue {channel.QueueIdOf(entry)} failed: {Libc.Describe(errno)}");
            }
            else if (errno is not (Errno.ENOTCONN or Errno.ECONNABORTED or Errno.ECANCELED))
            {
                _logger.LogError("FUSE: io_uring entry of queue {Queue} ended with {Error}", channel.QueueIdOf(entry), Libc.Describe(errno));
            }
        }
        return stop;
    }

    private void ReportRegistration(string? failure)
    {
        if (_reported) return;
        _reported = true;
        RegistrationFailure = failure;
        _registered.Set();
    }

    private void ServeEntry(FuseUringChannel channel, int entry)
    {
        var context = _contexts[entry];
        var reply = context.Reply;
        try
        {
            var status = channel.CopyRequest(entry, context.RequestBuffer, out var length);
            var message = status == FuseUringRequestStatus.Ok ? context.RequestBuffer.AsSpan(0, length) : default;
            var result = DispatchResult.NoReply;
            if (status == FuseUringRequestStatus.Ok)
            {
                _tap?.OnRequest(message);
                result = _dispatcher!.Dispatch(message, context);
            }
            else
            {
                _logger.LogWarning("FUSE: {Status} io_uring request (opcode {Opcode}) answered with an error", status, channel.OpcodeOf(entry));
            }
            if (result == DispatchResult.NoReply)
            {
                // the kernel waits for an answer to every request it puts in an entry; like /dev/fuse with a request
                // that does not fit the reader's buffer, a too large SETXATTR gets E2BIG and anything else EIO
                var errno = status == FuseUringRequestStatus.TooLarge && channel.OpcodeOf(entry) == FuseOpcode.SetXattr ? Errno.E2BIG : Errno.EIO;
                AnswerError(channel, entry, reply, errno);
            }
            else
            {
                var body = reply.GatherBody();
                _tap?.OnReply(message, reply.ToArray());
                channel.SetReply(entry, reply.Header, body);
            }
        }
        catch (Exception e)
        {
            // nothing in the dispatcher should throw; the entry must be answered all the same
            _logger.LogError(e, "FUSE: serving an io_uring request failed");
            AnswerError(channel, entry, reply, Errno.EIO);
        }
        finally
        {
            reply.ReleaseExternal();
        }
        channel.QueueCommit(entry);
        Interlocked.Increment(ref _requests);
        _dispatcher!.AfterReply(context);
    }

    private static void AnswerError(FuseUringChannel channel, int entry, ReplyBuilder reply, Errno errno)
    {
        reply.Begin(channel.UniqueOf(entry));
        reply.SetError(errno);
        reply.Complete();
        channel.SetReply(entry, reply.Header, 0);
    }

    private void ReleaseChannel(bool entriesReleased)
    {
        FuseUringChannel? channel;
        lock (_channelLock)
        {
            channel = _channel;
            _channel = null;
        }
        if (channel is null) return;
        channel.Dispose(entriesReleased);
        if (entriesReleased)
        {
            foreach (var context in _contexts) context.Dispose();
        }
        else
        {
            // the kernel may still write into these buffers: never let them be collected
            Abandoned.Add(_contexts);
        }
    }
}
