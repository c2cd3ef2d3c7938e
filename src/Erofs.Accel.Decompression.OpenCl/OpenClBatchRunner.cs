using System.Collections.Concurrent;

namespace Erofs.Accel.Decompression.OpenCl;

/// <summary>
/// Spreads batches over a small pool of slots (2-3 in flight on one in-order queue): while the device decodes one
/// slot, the host fills the next and collects the previous. Each slot's completion comes from an event callback; a
/// slot that misses its deadline marks the device unhealthy and its items time out (the engine falls back).
/// </summary>
internal sealed class OpenClBatchRunner : IDisposable
{
    private readonly OpenClDeviceRuntime runtime;
    private readonly OpenClBatchSlot[] slots;
    private readonly ConcurrentQueue<OpenClBatchSlot> free = new();
    private readonly SemaphoreSlim available;
    private readonly Lock submitLock = new();
    private TimeSpan deadline;
    private readonly string backendName;
    private readonly int minItemsPerSubmission;
    private volatile string? unhealthyReason;
    private long guardViolations;
    private long batchesSubmitted;
    private long fillTicks, deviceTicks, collectTicks, itemsDecoded, bytesDecoded;
    private int disposed;

    public OpenClBatchRunner(OpenClDeviceRuntime runtime, OpenClBackendOptions options, bool zeroCopy, bool groupLayout,
        int localSize, string backendName)
    {
        this.runtime = runtime;
        this.backendName = backendName;
        deadline = options.BatchDeadline;
        minItemsPerSubmission = options.MinItemsPerSubmission;
        slots = new OpenClBatchSlot[options.BatchesInFlight];
        try
        {
            for (int i = 0; i < slots.Length; i++)
            {
                slots[i] = new OpenClBatchSlot(runtime, options.MaxItemsPerBatch, options.InputBytesPerBatch,
                    options.OutputBytesPerBatch, zeroCopy, groupLayout, localSize, options.DebugGuardBytes);
                free.Enqueue(slots[i]);
            }
        }
        catch
        {
            foreach (var s in slots) s?.Dispose();
            throw;
        }
        available = new SemaphoreSlim(slots.Length, slots.Length);
        MaxItemInput = options.InputBytesPerBatch;
        MaxItemOutput = options.OutputBytesPerBatch - 2 * options.DebugGuardBytes;
    }

    /// <summary>Time a batch may take on the device (settable for tests).</summary>
    internal TimeSpan Deadline
    {
        get => deadline;
        set => deadline = value;
    }

    public int MaxItemInput { get; }
    public int MaxItemOutput { get; }
    public string? UnhealthyReason => unhealthyReason;
    public long GuardViolations => Interlocked.Read(ref guardViolations);
    public long BatchesSubmitted => Interlocked.Read(ref batchesSubmitted);

    /// <summary>Cumulative host and device time split and volume since start.</summary>
    public OpenClStatistics Statistics => new(
        Interlocked.Read(ref batchesSubmitted), Interlocked.Read(ref itemsDecoded), Interlocked.Read(ref bytesDecoded),
        TimeSpan.FromTicks(Interlocked.Read(ref fillTicks) * TimeSpan.TicksPerSecond / System.Diagnostics.Stopwatch.Frequency),
        TimeSpan.FromTicks(Interlocked.Read(ref deviceTicks) * TimeSpan.TicksPerSecond / System.Diagnostics.Stopwatch.Frequency),
        TimeSpan.FromTicks(Interlocked.Read(ref collectTicks) * TimeSpan.TicksPerSecond / System.Diagnostics.Stopwatch.Frequency));

    public void MarkUnhealthy(string reason) => unhealthyReason ??= reason;

    /// <summary>Decodes a batch; <paramref name="accepted"/> says which requests the caller already vetted.</summary>
    public async ValueTask RunAsync(ReadOnlyMemory<DecompressionRequest> batch, Memory<DecompressionResult> results,
        Func<DecompressionRequest, bool> accepted, CancellationToken cancellationToken)
    {
        int n = batch.Length;
        int next = 0;
        List<Task>? inFlight = null;
        try
        {
            while (next < n)
            {
                if (unhealthyReason is not null)
                {
                    for (; next < n; next++) results.Span[next] = new(DecodeStatus.BackendFailure, 0, backendName, FallbackReason.BackendUnhealthy);
                    break;
                }
                OpenClBatchSlot slot;
                try
                {
                    slot = await AcquireAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    for (; next < n; next++) results.Span[next] = new(DecodeStatus.Cancelled, 0, backendName);
                    break;
                }
                slot.Reset();
                long fillStart = System.Diagnostics.Stopwatch.GetTimestamp();
                int limit = ItemsForThisSubmission(n - next);
                while (next < n && slot.Count < limit)
                {
                    var request = batch.Span[next];
                    if (!accepted(request))
                    {
                        results.Span[next] = new(DecodeStatus.Unsupported, 0, backendName, FallbackReason.Unsupported);
                        next++;
                        continue;
                    }
                    if (!slot.TryAdd(request.Source.Span, request.Parameters, next)) break;
                    next++;
                }
                Interlocked.Add(ref fillTicks, System.Diagnostics.Stopwatch.GetTimestamp() - fillStart);
                if (slot.Count == 0)
                {
                    Release(slot);
                    if (next < n)
                    {
                        // cannot happen for vetted requests (one always fits an empty slot); never spin on it
                        results.Span[next] = new(DecodeStatus.Unsupported, 0, backendName, FallbackReason.Unsupported);
                        next++;
                    }
                    continue;
                }
                (inFlight ??= new List<Task>()).Add(CompleteAsync(slot, batch, results));
            }
        }
        finally
        {
            if (inFlight is not null) await Task.WhenAll(inFlight).ConfigureAwait(false);
        }
    }

    /// <summary>Synchronous single item (not the intended use: pays the whole fixed cost).</summary>
    public DecodeStatus RunOne(ReadOnlySpan<byte> source, Span<byte> destination, in DecodeParameters parameters, out int written)
    {
        written = 0;
        if (unhealthyReason is not null) return DecodeStatus.BackendFailure;
        if (!available.Wait(deadline)) return DecodeStatus.TimedOut;
        free.TryDequeue(out var slot);
        slot!.Reset();
        if (!slot.TryAdd(source, parameters, 0))
        {
            Release(slot);
            return DecodeStatus.Unsupported;
        }
        Task<int> done;
        try
        {
            done = Submit(slot);
        }
        catch (OpenClException e)
        {
            MarkUnhealthy("enqueue failed: " + e.Message);
            return DecodeStatus.BackendFailure;
        }
        catch (InvalidOperationException)
        {
            Release(slot);
            return DecodeStatus.BackendFailure;
        }
        if (!done.Wait(deadline))
        {
            Abandon(slot);
            return DecodeStatus.TimedOut;
        }
        slot.ReleaseEvent();
        if (done.Result < 0)
        {
            MarkUnhealthy($"device reported execution status {done.Result}");
            return DecodeStatus.BackendFailure;
        }
        int k = slot.SlotIndexOf(0);
        var status = CheckGuards(slot, k) ? slot.Collect(k, destination, out written) : DecodeStatus.BackendFailure;
        Release(slot);
        return status;
    }

    /// <summary>Test hook: runs hand-made descriptors, with or without the host checks, and hands back the slot's view.</summary>
    internal async Task<(OpenClItemResult[] Results, byte[] Output, bool HostRejected)> RunRawAsync(byte[] input,
        OpenClItemDescriptor[] lz4Items, OpenClItemDescriptor[] deflateItems, int outputBytes, bool hostChecks)
    {
        var slot = await AcquireAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            slot.LoadRaw(input, lz4Items, deflateItems, outputBytes);
            Task<int> done;
            lock (submitLock)
            {
                try
                {
                    done = hostChecks ? slot.Submit() : slot.SubmitUnchecked();
                }
                catch (InvalidOperationException)
                {
                    return (Array.Empty<OpenClItemResult>(), Array.Empty<byte>(), true);
                }
            }
            int status = await done.WaitAsync(deadline).ConfigureAwait(false);
            slot.ReleaseEvent();
            if (status < 0) throw new OpenClException("batch", status);
            var results = new OpenClItemResult[slot.Count];
            for (int i = 0; i < results.Length; i++) results[i] = slot.ResultAt(slot.SlotIndexOf(i));
            return (results, slot.UsedOutput.ToArray(), false);
        }
        finally
        {
            Release(slot);
        }
    }

    private async Task CompleteAsync(OpenClBatchSlot slot, ReadOnlyMemory<DecompressionRequest> batch, Memory<DecompressionResult> results)
    {
        int status;
        try
        {
            status = await Submit(slot).WaitAsync(deadline).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            Abandon(slot);
            FailAll(slot, results, DecodeStatus.TimedOut, FallbackReason.TimedOut);
            return;
        }
        catch (OpenClException e)
        {
            // the slot may be half enqueued: it is not reused, and neither is the device
            MarkUnhealthy("enqueue failed: " + e.Message);
            FailAll(slot, results, DecodeStatus.BackendFailure, FallbackReason.BackendFailed);
            return;
        }
        catch (InvalidOperationException)
        {
            // a descriptor failed the host checks: nothing was enqueued
            FailAll(slot, results, DecodeStatus.BackendFailure, FallbackReason.BackendFailed);
            Release(slot);
            return;
        }
        slot.ReleaseEvent();
        if (status < 0)
        {
            MarkUnhealthy($"device reported execution status {status}");
            FailAll(slot, results, DecodeStatus.BackendFailure, FallbackReason.BackendFailed);
            Release(slot);
            return;
        }
        Interlocked.Add(ref deviceTicks, slot.LastDeviceTicks);
        long collectStart = System.Diagnostics.Stopwatch.GetTimestamp();
        var requests = batch.Span;
        var output = results.Span;
        long bytes = 0;
        for (int i = 0; i < slot.Count; i++)
        {
            int k = slot.SlotIndexOf(i);
            int index = slot.RequestIndexAt(k);
            var st = CheckGuards(slot, k)
                ? slot.Collect(k, requests[index].Destination.Span, out int written)
                : Failed(out written);
            bytes += written;
            output[index] = new DecompressionResult(st, written, backendName, Fallback(st));
        }
        Interlocked.Add(ref itemsDecoded, slot.Count);
        Interlocked.Add(ref bytesDecoded, bytes);
        Interlocked.Add(ref collectTicks, System.Diagnostics.Stopwatch.GetTimestamp() - collectStart);
        Release(slot);
    }

    /// <summary>Spreads a large remainder over the slots so filling one overlaps decoding another.</summary>
    private int ItemsForThisSubmission(int remaining)
    {
        if (minItemsPerSubmission == 0 || remaining < 2 * minItemsPerSubmission) return int.MaxValue;
        return Math.Max(minItemsPerSubmission, (remaining + slots.Length - 1) / slots.Length);
    }

    private static DecodeStatus Failed(out int written)
    {
        written = 0;
        return DecodeStatus.BackendFailure;
    }

    private static FallbackReason Fallback(DecodeStatus status) => status switch
    {
        DecodeStatus.Done => FallbackReason.None,
        DecodeStatus.CorruptData => FallbackReason.CorruptReportedByBackend,
        DecodeStatus.WrongLength => FallbackReason.WrongLength,
        DecodeStatus.TimedOut => FallbackReason.TimedOut,
        DecodeStatus.Unsupported => FallbackReason.Unsupported,
        _ => FallbackReason.BackendFailed,
    };

    private bool CheckGuards(OpenClBatchSlot slot, int k)
    {
        if (slot.GuardsIntact(k)) return true;
        Interlocked.Increment(ref guardViolations);
        return false;
    }

    private void FailAll(OpenClBatchSlot slot, Memory<DecompressionResult> results, DecodeStatus status, FallbackReason reason)
    {
        var output = results.Span;
        for (int i = 0; i < slot.Count; i++)
            output[slot.RequestIndexAt(slot.SlotIndexOf(i))] = new(status, 0, backendName, reason);
    }

    private Task<int> Submit(OpenClBatchSlot slot)
    {
        lock (submitLock)
        {
            Interlocked.Increment(ref batchesSubmitted);
            return slot.Submit();
        }
    }

    private void Abandon(OpenClBatchSlot slot)
    {
        slot.Abandoned = true;   // never reused nor freed: the device may still write into it
        MarkUnhealthy($"a batch exceeded its {deadline.TotalMilliseconds:0} ms deadline on {runtime.Info.DeviceName}");
    }

    private async ValueTask<OpenClBatchSlot> AcquireAsync(CancellationToken cancellationToken)
    {
        await available.WaitAsync(cancellationToken).ConfigureAwait(false);
        free.TryDequeue(out var slot);
        return slot!;
    }

    private void Release(OpenClBatchSlot slot)
    {
        free.Enqueue(slot);
        available.Release();
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0) return;
        foreach (var s in slots) s.Dispose();
        available.Dispose();
    }
}
