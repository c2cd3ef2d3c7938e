using Erofs.Accel.Fuse.Transport;
using Microsoft.Extensions.Logging;

namespace Erofs.Accel.Fuse.Server;

/// <summary>
/// The io_uring transport: one <see cref="RingWorker"/> per online CPU (see <see cref="FuseUringQueuePlan"/>). It is
/// prepared before INIT is answered, so a ring that cannot be set up falls back to /dev/fuse before the kernel is told
/// to wait for rings; it registers after INIT accepted FUSE_OVER_IO_URING (the kernel refuses entries earlier).
/// </summary>
internal sealed class RingWorkerSet
{
    private readonly RingWorker[] _workers;
    private readonly ILogger _logger;

    /// <param name="releaseAfterDevice">A descriptor every ring holds and lets go of after /dev/fuse (or -1).</param>
    public RingWorkerSet(
        FuseDevice device, int releaseAfterDevice, FuseUringQueuePlan plan, bool pinThreads, int requestBufferSize, int replyBufferSize, ILogger logger)
    {
        _logger = logger;
        Plan = plan;
        _workers = plan.Threads.Select(t => new RingWorker(device, releaseAfterDevice, t, pinThreads, requestBufferSize, replyBufferSize, logger)).ToArray();
        Completion = Task.WhenAll(_workers.Select(w => w.Completion));
    }

    public FuseUringQueuePlan Plan { get; }

    /// <summary>Completes when every thread has ended.</summary>
    public Task Completion { get; }

    /// <summary>Requests served over the rings.</summary>
    public long RequestCount => _workers.Sum(w => w.RequestCount);

    public bool Faulted => _workers.Any(w => w.Faulted);

    /// <summary>Starts the threads and waits until each has pinned itself and set up its ring and buffers.</summary>
    public bool TryPrepare(TimeSpan timeout, out string failure)
    {
        foreach (var worker in _workers) worker.Launch();
        foreach (var worker in _workers)
        {
            if (!worker.WaitPrepared(timeout))
            {
                failure = "setting up the io_uring threads timed out";
                Stop();
                return false;
            }
            if (worker.PrepareFailure is { } reason)
            {
                failure = reason;
                Stop();
                return false;
            }
        }
        failure = "";
        return true;
    }

    /// <summary>
    /// Opens the gates: every thread registers its entries and starts serving. Waits until each has registered (or
    /// failed); false with the first failure (the kernel then keeps using /dev/fuse).
    /// </summary>
    public bool TryRegister(RequestDispatcher dispatcher, IMessageTap? tap, TimeSpan timeout, out string failure)
    {
        foreach (var worker in _workers) worker.Open(dispatcher, tap);
        foreach (var worker in _workers)
        {
            if (!worker.WaitRegistered(timeout))
            {
                failure = "registering the io_uring entries timed out";
                return false;
            }
            if (worker.RegistrationFailure is { } reason)
            {
                failure = reason;
                return false;
            }
        }
        _logger.LogInformation("FUSE: serving over io_uring: {Threads} threads, {Entries} entries", _workers.Length, Plan.EntryCount);
        failure = "";
        return true;
    }

    /// <summary>Stops every thread (before the gate: releases everything; serving: leaves at the next wake-up).</summary>
    public void Stop()
    {
        foreach (var worker in _workers) worker.Stop();
    }
}
