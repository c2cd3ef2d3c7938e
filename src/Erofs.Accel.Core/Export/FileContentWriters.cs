using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;

namespace Erofs.Accel.Core.Export;

/// <summary>
/// Threads that fill files the tree walk has already created: the walk (directories, names, links) stays in one
/// thread and in image order, while file contents are read, decoded and written by up to <c>count</c> threads at
/// once. The queue is bounded, so at most a few dozen descriptors are open. The first failure stops everything and is
/// rethrown by <see cref="Post"/> or <see cref="Finish"/>.
/// </summary>
internal sealed class FileContentWriters : IDisposable
{
    /// <summary>One file to fill. <see cref="Fill"/> releases what it holds even when it throws; <see cref="Abandon"/>
    /// releases it when the work never runs.</summary>
    public interface IJob
    {
        void Fill();
        void Abandon();
    }

    private readonly BlockingCollection<IJob> _queue;
    private readonly Thread[] _threads;
    private readonly CancellationTokenSource _stop = new();
    private ExceptionDispatchInfo? _failure;

    public FileContentWriters(int count)
    {
        _queue = new BlockingCollection<IJob>(boundedCapacity: count * 4);
        _threads = new Thread[count];
        for (int i = 0; i < count; i++)
        {
            _threads[i] = new Thread(Work) { IsBackground = true, Name = $"extract-writer-{i}" };
            _threads[i].Start();
        }
    }

    /// <summary>Queues one file's work (waits while the queue is full); throws the first failure of any writer.</summary>
    public void Post(IJob job)
    {
        try
        {
            _failure?.Throw();
            _queue.Add(job, _stop.Token);
        }
        catch
        {
            job.Abandon();
            _failure?.Throw();
            throw;
        }
    }

    /// <summary>Waits until every queued file is written; throws the first failure.</summary>
    public void Finish()
    {
        _queue.CompleteAdding();
        foreach (var t in _threads) t.Join();
        AbandonQueued();
        _failure?.Throw();
    }

    private void AbandonQueued()
    {
        while (_queue.TryTake(out var job)) job.Abandon();
    }

    private void Work()
    {
        try
        {
            foreach (var job in _queue.GetConsumingEnumerable(_stop.Token)) job.Fill();
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            Interlocked.CompareExchange(ref _failure, ExceptionDispatchInfo.Capture(e), null);
            _stop.Cancel();
        }
    }

    /// <summary>Stops the writers without waiting for queued files (after a failure of the walk itself).</summary>
    public void Dispose()
    {
        _stop.Cancel();
        if (!_queue.IsAddingCompleted) _queue.CompleteAdding();
        foreach (var t in _threads) t.Join();
        AbandonQueued();
        _queue.Dispose();
        _stop.Dispose();
    }
}
