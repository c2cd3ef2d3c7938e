using System.Buffers;
using System.Diagnostics;

namespace Erofs.Accel.Decompression.Engine;

public sealed partial class DecompressionEngine
{
    /// <summary>
    /// Decodes many independent pclusters (see <see cref="IPclusterDecompressor.DecompressBatch"/>). When no
    /// accelerator can take any item, they are decoded in software here: on this thread, plus helper threads from the
    /// one process-wide pool (<see cref="SharedDecodeThreads"/>) for large batches. Otherwise the spans are lent to
    /// the lanes as pinned memory and this call waits for <see cref="DecompressBatchAsync"/>: items a batch backend
    /// (OpenCL) takes go to it as one submission, others to the single-request accelerators, the rest to software,
    /// and every item a backend did not finish correctly is decoded again in software. Invalid items throw before
    /// anything runs.
    /// </summary>
    public unsafe void DecompressBatch(ReadOnlySpan<byte> source, Span<byte> destination, ReadOnlySpan<DecompressionBatchItem> items,
        Span<DecompressionResult> results)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        DecompressionBatchItem.ValidateAll(source.Length, destination.Length, items, results.Length);
        int count = items.Length;
        if (count == 0) return;
        if (!AnyAcceleratorCouldTake(items))
        {
            DecodeBatchInSoftware(source, destination, items, results);
            return;
        }
        var requests = ArrayPool<DecompressionRequest>.Shared.Rent(count);
        var answers = ArrayPool<DecompressionResult>.Shared.Rent(count);
        try
        {
            fixed (byte* sourcePointer = source)
            fixed (byte* destinationPointer = destination)
            {
                using var sourceMemory = new PinnedSpanMemory(sourcePointer, source.Length);
                using var destinationMemory = new PinnedSpanMemory(destinationPointer, destination.Length);
                for (int i = 0; i < count; i++)
                {
                    var item = items[i];
                    requests[i] = new DecompressionRequest(sourceMemory.Memory.Slice(item.SourceOffset, item.SourceLength),
                        destinationMemory.Memory.Slice(item.DestinationOffset, item.Parameters.OutputLength), item.Parameters);
                }
                var pending = DecompressBatchAsync(requests.AsMemory(0, count), answers.AsMemory(0, count));
                if (!pending.IsCompletedSuccessfully) pending.AsTask().GetAwaiter().GetResult();
            }
            answers.AsSpan(0, count).CopyTo(results);
        }
        finally
        {
            ArrayPool<DecompressionRequest>.Shared.Return(requests, clearArray: true);
            ArrayPool<DecompressionResult>.Shared.Return(answers, clearArray: true);
        }
    }

    /// <summary>True when some available accelerator (batch or single-request) might take an item of the batch.</summary>
    private bool AnyAcceleratorCouldTake(ReadOnlySpan<DecompressionBatchItem> items)
    {
        foreach (var lane in _batchLanes)
            if (lane.IsAvailable && lane.BatchBackend.MinimumBatchSize <= items.Length) return true;
        foreach (var item in items)
            foreach (var lane in _lanesByAlgorithm[(int)item.Parameters.Algorithm])
                if (lane.IsAvailable && lane.Backend.Supports(item.Parameters, item.SourceLength)) return true;
        return false;
    }

    /// <summary>
    /// Software decode of a whole batch no accelerator takes. Routing still runs per item (without side effects here:
    /// no available lane supports the item) so an unavailable accelerator the policy named counts the fallback.
    /// </summary>
    private unsafe void DecodeBatchInSoftware(ReadOnlySpan<byte> source, Span<byte> destination, ReadOnlySpan<DecompressionBatchItem> items,
        Span<DecompressionResult> results)
    {
        int count = items.Length;
        if (WorthParallel(count, items))
        {
            var copy = ArrayPool<DecompressionBatchItem>.Shared.Rent(count);
            var answers = ArrayPool<DecompressionResult>.Shared.Rent(count);
            try
            {
                items.CopyTo(copy);
                fixed (byte* sourcePointer = source)
                fixed (byte* destinationPointer = destination)
                {
                    var work = new PinnedBatchWork(this, sourcePointer, source.Length, destinationPointer, destination.Length, copy, answers);
                    SharedDecodeThreads.For(count, _options.SoftwareParallelism, work);
                }
                answers.AsSpan(0, count).CopyTo(results);
            }
            finally
            {
                ArrayPool<DecompressionBatchItem>.Shared.Return(copy);
                ArrayPool<DecompressionResult>.Shared.Return(answers, clearArray: true);
            }
            return;
        }
        for (int i = 0; i < count; i++) results[i] = DecodeBatchItemInSoftware(source, destination, items[i]);
    }

    private DecompressionResult DecodeBatchItemInSoftware(ReadOnlySpan<byte> source, Span<byte> destination, in DecompressionBatchItem item)
    {
        var parameters = item.Parameters;
        Route(parameters, item.SourceLength, out _, out var skipped, out var reason);
        return DecodeInSoftware(item.SourceIn(source), item.DestinationIn(destination), parameters, skipped, reason, isProbe: false,
            Stopwatch.GetTimestamp());
    }

    /// <summary>Large enough to be worth helper threads: enough items and enough decoded bytes.</summary>
    private bool WorthParallel(int count, ReadOnlySpan<DecompressionBatchItem> items)
    {
        if (count < _options.ParallelSoftwareThreshold || _options.SoftwareParallelism <= 1) return false;
        long bytes = 0;
        foreach (var item in items) bytes += item.Parameters.OutputLength;
        return bytes >= _options.ParallelSoftwareMinBytes;
    }

    /// <summary>A software batch over the caller's pinned spans, for the shared helper threads (valid while the caller waits).</summary>
    private sealed unsafe class PinnedBatchWork(DecompressionEngine engine, byte* source, int sourceLength, byte* destination,
        int destinationLength, DecompressionBatchItem[] items, DecompressionResult[] results) : IIndexedWork
    {
        public void Run(int index) => results[index] = engine.DecodeBatchItemInSoftware(
            new ReadOnlySpan<byte>(source, sourceLength), new Span<byte>(destination, destinationLength), items[index]);
    }

    /// <summary>
    /// Asynchronous form over memory, as the lanes need it: <paramref name="results"/>[i] receives the result of
    /// <paramref name="batch"/>[i]. Items a batch backend (OpenCL) takes go to it as one submission when there are at
    /// least its <see cref="IBatchDecompressionBackend.MinimumBatchSize"/> of them; the others go to the single-request
    /// accelerators' queues, and the rest are decoded in software (with shared helper threads for large batches).
    /// Every item a backend did not finish correctly is decoded in software. Invalid parameters in any item throw
    /// before anything runs.
    /// </summary>
    internal async ValueTask DecompressBatchAsync(ReadOnlyMemory<DecompressionRequest> batch, Memory<DecompressionResult> results,
        CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (results.Length < batch.Length) throw new ArgumentException("results shorter than batch", nameof(results));
        for (int i = 0; i < batch.Length; i++) Validate(batch.Span[i]);
        int count = batch.Length;
        if (count == 0) return;

        var assigned = ArrayPool<bool>.Shared.Rent(count);
        Array.Clear(assigned, 0, count);
        var jobs = new List<(AcceleratorLane Lane, OffloadWorkItem Job)>();
        var pending = ArrayPool<ValueTask<DecompressionResult>>.Shared.Rent(count);
        var pendingIndex = ArrayPool<int>.Shared.Rent(count);
        var softwareIndex = ArrayPool<int>.Shared.Rent(count);
        var softwareSkipped = ArrayPool<AcceleratorLane?>.Shared.Rent(count);
        var softwareReason = ArrayPool<FallbackReason>.Shared.Rent(count);
        int pendingCount = 0, softwareCount = 0;
        try
        {
            if (cancellationToken.IsCancellationRequested)
            {
                results.Span[..count].Fill(new DecompressionResult(DecodeStatus.Cancelled, 0, SoftwareName));
                return;
            }

            // 1. Batch backends first, so the device works while the rest is decoded here.
            foreach (var lane in _batchLanes)
                await SubmitToBatchLaneAsync(lane, batch, assigned, jobs, cancellationToken).ConfigureAwait(false);

            // 2. Single-request accelerators get their items queued; the rest waits for software.
            for (int i = 0; i < count; i++)
            {
                if (assigned[i]) continue;
                var request = batch.Span[i];
                var lane = Route(request.Parameters, request.Source.Length, out bool isProbe, out var skipped, out var reason);
                if (lane is not null)
                {
                    pending[pendingCount] = OffloadAsync(lane, request, isProbe, cancellationToken);
                    pendingIndex[pendingCount++] = i;
                }
                else
                {
                    softwareIndex[softwareCount] = i;
                    softwareSkipped[softwareCount] = skipped;
                    softwareReason[softwareCount++] = reason;
                }
            }

            // 3. Software items, in parallel when there are many.
            DecodeSoftwareItems(batch, results, softwareIndex, softwareSkipped, softwareReason, softwareCount, cancellationToken);

            // 4. Collect the accelerators' answers.
            for (int k = 0; k < pendingCount; k++)
            {
                var task = pending[k];
                pending[k] = default; // awaited once only, even if something below throws
                var result = await task.ConfigureAwait(false);
                results.Span[pendingIndex[k]] = result;
            }
            pendingCount = 0;
            foreach (var (lane, job) in jobs)
                await CollectBatchAsync(lane, job, batch, results).ConfigureAwait(false);
            jobs.Clear();
        }
        finally
        {
            // Only reached with work outstanding when something threw: still wait for it, never leak a pooled item.
            for (int k = 0; k < pendingCount; k++)
            {
                if (pending[k].Equals(default(ValueTask<DecompressionResult>))) continue;
                try { await pending[k].ConfigureAwait(false); } catch (Exception) { /* already failing */ }
            }
            foreach (var (_, job) in jobs)
            {
                job.TryAbandon();
                job.Release();
            }
            ArrayPool<bool>.Shared.Return(assigned);
            ArrayPool<ValueTask<DecompressionResult>>.Shared.Return(pending, clearArray: true);
            ArrayPool<int>.Shared.Return(pendingIndex);
            ArrayPool<int>.Shared.Return(softwareIndex);
            ArrayPool<AcceleratorLane?>.Shared.Return(softwareSkipped, clearArray: true);
            ArrayPool<FallbackReason>.Shared.Return(softwareReason);
        }
    }

    private async ValueTask SubmitToBatchLaneAsync(AcceleratorLane lane, ReadOnlyMemory<DecompressionRequest> batch, bool[] assigned,
        List<(AcceleratorLane, OffloadWorkItem)> jobs, CancellationToken cancellationToken)
    {
        if (!lane.IsAvailable) return; // the first batch creates the backend

        var eligible = new List<int>();
        for (int i = 0; i < batch.Length; i++)
        {
            var request = batch.Span[i];
            if (!assigned[i] && lane.BatchBackend.Supports(request.Parameters, request.Source.Length)) eligible.Add(i);
        }
        if (eligible.Count == 0) return;

        // Cut into submissions of at most MaxBatchBytes decoded bytes, each worth sending on its own (the backend
        // decides, against the threads software would give this submission).
        var submission = ArrayPool<DecompressionRequest>.Shared.Rent(eligible.Count);
        try
        {
            int start = 0;
            while (start < eligible.Count)
            {
                int end = start;
                long bytes = 0;
                while (end < eligible.Count)
                {
                    long next = batch.Span[eligible[end]].Parameters.OutputLength;
                    if (end > start && bytes + next > _options.MaxBatchBytes) break;
                    bytes += next;
                    end++;
                }
                for (int k = start; k < end; k++) submission[k - start] = batch.Span[eligible[k]];
                if (!lane.BatchBackend.IsWorthSending(submission.AsSpan(0, end - start), SoftwareThreadsFor(end - start, bytes))) break;
                if (!lane.Breaker.TryAcquire(out bool isProbe)) return;

                var job = lane.Rent();
                job.IsProbe = isProbe;
                for (int k = start; k < end; k++) job.Add(eligible[k], batch.Span[eligible[k]]);
                job.Arm(_options.BatchTimeout, cancellationToken);
                if (!await lane.EnqueueAsync(job, cancellationToken).ConfigureAwait(false))
                {
                    // Shutting down, cancelled or timed out while waiting: the items go the single-request way.
                    lane.Breaker.OnNeutral(isProbe);
                    await job.AsValueTask().ConfigureAwait(false);
                    job.Release();
                    return;
                }
                for (int k = start; k < end; k++) assigned[eligible[k]] = true;
                jobs.Add((lane, job));
                EngineLog.BatchRouted(_logger, lane.Name, end - start);
                start = end;
            }
        }
        finally
        {
            ArrayPool<DecompressionRequest>.Shared.Return(submission, clearArray: true);
        }
    }

    /// <summary>Threads the software part of a batch would get (as <see cref="DecodeSoftwareItems"/> spreads it).</summary>
    private int SoftwareThreadsFor(int count, long bytes) =>
        count >= _options.ParallelSoftwareThreshold && bytes >= _options.ParallelSoftwareMinBytes && _options.SoftwareParallelism > 1
            ? Math.Min(_options.SoftwareParallelism, count)
            : 1;

    private async ValueTask CollectBatchAsync(AcceleratorLane lane, OffloadWorkItem job, ReadOnlyMemory<DecompressionRequest> batch,
        Memory<DecompressionResult> results)
    {
        long start = Stopwatch.GetTimestamp();
        try
        {
            // The item's own deadline (BatchTimeout) and the caller's token end the wait: no extra timer here.
            var whole = await job.AsValueTask().ConfigureAwait(false);
            bool cancelled = whole.Kind == OffloadKind.Cancelled;
            bool backendFault = whole.Kind == OffloadKind.Fallback;
            for (int k = 0; k < job.Count; k++)
            {
                int index = job.CallerIndex(k);
                var request = batch.Span[index];
                lane.Counters.Routed();
                if (cancelled)
                {
                    lane.Counters.Cancelled();
                    results.Span[index] = new DecompressionResult(DecodeStatus.Cancelled, 0, lane.Name);
                    continue;
                }
                var outcome = whole.Kind == OffloadKind.Fallback ? whole : job.Verdict(k);
                if (outcome.Kind == OffloadKind.Done)
                {
                    int length = request.Parameters.OutputLength;
                    job.Output(k).CopyTo(request.Destination.Span);
                    lane.Counters.Served(request.Source.Length, length);
                    _metrics.Completed(lane.Name, request.Parameters.Algorithm, DecodeStatus.Done, request.Source.Length, length, start);
                    results.Span[index] = new DecompressionResult(DecodeStatus.Done, length, lane.Name);
                    continue;
                }
                var result = _software.Decompress(request.Source.Span, request.Destination.Span, request.Parameters);
                CountSoftware(request.Parameters, request.Source.Length, result, start, asFallback: true);
                lane.Counters.FellBack(outcome.Reason);
                _metrics.FellBack(lane.Name, outcome.Reason);
                if (outcome.Reason is FallbackReason.BackendFailed or FallbackReason.TimedOut
                    || (outcome.Reason is FallbackReason.CorruptReportedByBackend or FallbackReason.WrongLength && result.Status == DecodeStatus.Done))
                    backendFault = true;
                results.Span[index] = result with { Fallback = outcome.Reason };
            }
            if (cancelled) lane.Breaker.OnNeutral(job.IsProbe);
            else if (backendFault) lane.Breaker.OnFailure(job.IsProbe, job.Error?.Message ?? (whole.Kind == OffloadKind.Fallback ? whole.Reason.ToString() : "items failed"));
            else lane.Breaker.OnSuccess(job.IsProbe);
        }
        finally
        {
            job.Release();
        }
    }

    private void DecodeSoftwareItems(ReadOnlyMemory<DecompressionRequest> batch, Memory<DecompressionResult> results, int[] indices,
        AcceleratorLane?[] skipped, FallbackReason[] reasons, int count, CancellationToken cancellationToken)
    {
        if (count == 0) return;
        var work = new QueuedSoftwareWork(this, batch, results, indices, skipped, reasons, cancellationToken);
        if (count >= _options.ParallelSoftwareThreshold && _options.SoftwareParallelism > 1)
        {
            long bytes = 0;
            for (int k = 0; k < count; k++) bytes += batch.Span[indices[k]].Parameters.OutputLength;
            if (bytes >= _options.ParallelSoftwareMinBytes)
            {
                SharedDecodeThreads.For(count, _options.SoftwareParallelism, work);
                return;
            }
        }
        for (int k = 0; k < count; k++) work.Run(k);
    }

    /// <summary>The software items of an asynchronous batch (item k is request indices[k]).</summary>
    private sealed class QueuedSoftwareWork(DecompressionEngine engine, ReadOnlyMemory<DecompressionRequest> batch,
        Memory<DecompressionResult> results, int[] indices, AcceleratorLane?[] skipped, FallbackReason[] reasons,
        CancellationToken cancellationToken) : IIndexedWork
    {
        public void Run(int k)
        {
            int index = indices[k];
            if (cancellationToken.IsCancellationRequested)
            {
                results.Span[index] = new DecompressionResult(DecodeStatus.Cancelled, 0, SoftwareName);
                return;
            }
            var request = batch.Span[index];
            results.Span[index] = engine.DecodeInSoftware(request.Source.Span, request.Destination.Span, request.Parameters, skipped[k],
                reasons[k], isProbe: false, Stopwatch.GetTimestamp());
        }
    }
}
