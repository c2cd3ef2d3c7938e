using System.Collections.Concurrent;
using System.Diagnostics;

namespace Erofs.Accel.Decompression.OpenCl;

/// <summary>
/// Spreads batches over a small pool of slots, each with its own queue: while the device decodes one slot, the host
/// fills the next and collects the previous, and on a GPU one slot's transfers overlap another's kernels. Large
/// fills and collects are split over several host threads. Each slot's completion comes from an event callback; a
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
    private readonly ParallelOptions hostCopies;
    private volatile string? unhealthyReason;
    private long guardViolations;
    private long batchesSubmitted;
    private long fillTicks, enqueueTicks, deviceTicks, collectTicks, itemsDecoded, bytesDecoded, bytesIn;
    private long profiledSubmissions, launchNs, uploadNs, kernelNs, downloadNs;
    private int disposed;

    /// <summary>Fills and collects of at least this many bytes are split over <see cref="OpenClBackendOptions.HostCopyThreads"/>.</summary>
    private const long ParallelCopyBytes = 4 << 20;

    public OpenClBatchRunner(OpenClDeviceRuntime runtime, OpenClBackendOptions options, bool zeroCopy, bool groupLayout,
        int localSize, int maxRingBits, string backendName)
    {
        this.runtime = runtime;
        this.backendName = backendName;
        deadline = options.BatchDeadline;
        minItemsPerSubmission = options.MinItemsPerSubmission;
        hostCopies = new ParallelOptions { MaxDegreeOfParallelism = options.HostCopyThreads };
        slots = new OpenClBatchSlot[options.BatchesInFlight];
        try
        {
            for (int i = 0; i < slots.Length; i++)
            {
                slots[i] = new OpenClBatchSlot(runtime, options.MaxItemsPerBatch, options.InputBytesPerBatch,
                    options.OutputBytesPerBatch, zeroCopy, groupLayout, localSize, maxRingBits, options.DebugGuardBytes,
                    options.ProfileStages);
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

    /// <summary>Cumulative stage times and volume since start.</summary>
    public OpenClStatistics Statistics => new(
        Interlocked.Read(ref batchesSubmitted), Interlocked.Read(ref itemsDecoded), Interlocked.Read(ref bytesDecoded),
        Interlocked.Read(ref bytesIn),
        FromStopwatch(Interlocked.Read(ref fillTicks)), FromStopwatch(Interlocked.Read(ref enqueueTicks)),
        FromStopwatch(Interlocked.Read(ref deviceTicks)), FromStopwatch(Interlocked.Read(ref collectTicks)),
        Interlocked.Read(ref profiledSubmissions),
        FromNanoseconds(Interlocked.Read(ref launchNs)), FromNanoseconds(Interlocked.Read(ref uploadNs)),
        FromNanoseconds(Interlocked.Read(ref kernelNs)), FromNanoseconds(Interlocked.Read(ref downloadNs)));

    private static TimeSpan FromStopwatch(long ticks) => TimeSpan.FromTicks(ticks * TimeSpan.TicksPerSecond / Stopwatch.Frequency);

    private static TimeSpan FromNanoseconds(long ns) => TimeSpan.FromTicks(ns / 100);

    public void MarkUnhealthy(string reason) => unhealthyReason ??= reason;

    /// <summary>Decodes a batch; <paramref name="accepted"/> says which requests the caller already vetted.</summary>
    public async ValueTask RunAsync(ReadOnlyMemory<DecompressionRequest> batch, Memory<DecompressionResult> results,
        Func<DecompressionRequest, bool> accepted, CancellationToken cancellationToken)
    {
        int n = batch.Length;
        int next = 0;
        int perSubmission = ItemsPerSubmission(n);
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
                long fillStart = Stopwatch.GetTimestamp();
                next = Fill(slot, batch, results, next, perSubmission, accepted);
                Interlocked.Add(ref fillTicks, Stopwatch.GetTimestamp() - fillStart);
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
        slot.ReleaseEvents(out _);
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
            slot.ReleaseEvents(out _);
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
        slot.ReleaseEvents(out var stages);
        if (status < 0)
        {
            MarkUnhealthy($"device reported execution status {status}");
            FailAll(slot, results, DecodeStatus.BackendFailure, FallbackReason.BackendFailed);
            Release(slot);
            return;
        }
        Interlocked.Add(ref enqueueTicks, slot.LastEnqueueTicks);
        Interlocked.Add(ref deviceTicks, slot.LastDeviceTicks);
        if (stages.Measured)
        {
            Interlocked.Increment(ref profiledSubmissions);
            Interlocked.Add(ref launchNs, (long)stages.LaunchNs);
            Interlocked.Add(ref uploadNs, (long)stages.UploadNs);
            Interlocked.Add(ref kernelNs, (long)stages.KernelNs);
            Interlocked.Add(ref downloadNs, (long)stages.DownloadNs);
        }
        long collectStart = Stopwatch.GetTimestamp();
        long bytes = Collect(slot, batch, results);
        Interlocked.Add(ref itemsDecoded, slot.Count);
        Interlocked.Add(ref bytesDecoded, bytes);
        Interlocked.Add(ref bytesIn, slot.InputBytesUsed);
        Interlocked.Add(ref collectTicks, Stopwatch.GetTimestamp() - collectStart);
        Release(slot);
    }

    /// <summary>
    /// Places requests from <paramref name="next"/> on into the slot (at most <paramref name="limit"/> items) and
    /// copies their inputs in, over several threads when there are many bytes. Returns the first request not taken.
    /// </summary>
    private int Fill(OpenClBatchSlot slot, ReadOnlyMemory<DecompressionRequest> batch, Memory<DecompressionResult> results,
        int next, int limit, Func<DecompressionRequest, bool> accepted)
    {
        int n = batch.Length;
        var requests = batch.Span;
        while (next < n && slot.Count < limit)
        {
            var request = requests[next];
            if (!accepted(request))
            {
                results.Span[next] = new(DecodeStatus.Unsupported, 0, backendName, FallbackReason.Unsupported);
                next++;
                continue;
            }
            if (!slot.TryPlace(request.Source.Length, request.Parameters, next, out _)) break;
            next++;
        }
        int placed = slot.Count;
        if (placed == 0) return next;
        if (slot.InputBytesUsed < ParallelCopyBytes || hostCopies.MaxDegreeOfParallelism <= 1)
        {
            for (int i = 0; i < placed; i++) CopyInput(slot, requests, i);
            return next;
        }
        int stripes = Math.Min(hostCopies.MaxDegreeOfParallelism, placed);
        Parallel.For(0, stripes, hostCopies, s =>
        {
            var all = batch.Span;
            for (int i = placed * s / stripes, end = placed * (s + 1) / stripes; i < end; i++) CopyInput(slot, all, i);
        });
        return next;
    }

    private static void CopyInput(OpenClBatchSlot slot, ReadOnlySpan<DecompressionRequest> requests, int ordinal)
    {
        int k = slot.SlotIndexOf(ordinal);
        ref readonly var d = ref slot.DescriptorAt(k);
        requests[slot.RequestIndexAt(k)].Source.Span.CopyTo(slot.InputAt((int)d.InputOffset, (int)d.InputLength));
    }

    /// <summary>Copies every item's bytes out and writes its result; over several threads when there are many bytes.</summary>
    private long Collect(OpenClBatchSlot slot, ReadOnlyMemory<DecompressionRequest> batch, Memory<DecompressionResult> results)
    {
        int count = slot.Count;
        if (slot.OutputBytesUsed < ParallelCopyBytes || hostCopies.MaxDegreeOfParallelism <= 1)
            return CollectRange(slot, batch, results, 0, count);
        int stripes = Math.Min(hostCopies.MaxDegreeOfParallelism, count);
        long total = 0;
        Parallel.For(0, stripes, hostCopies, s =>
            Interlocked.Add(ref total, CollectRange(slot, batch, results, count * s / stripes, count * (s + 1) / stripes)));
        return total;
    }

    private long CollectRange(OpenClBatchSlot slot, ReadOnlyMemory<DecompressionRequest> batch, Memory<DecompressionResult> results,
        int from, int to)
    {
        var requests = batch.Span;
        var output = results.Span;
        long bytes = 0;
        for (int i = from; i < to; i++)
        {
            int k = slot.SlotIndexOf(i);
            int index = slot.RequestIndexAt(k);
            var st = CheckGuards(slot, k)
                ? slot.Collect(k, requests[index].Destination.Span, out int written)
                : Failed(out written);
            bytes += written;
            output[index] = new DecompressionResult(st, written, backendName, Fallback(st));
        }
        return bytes;
    }

    /// <summary>
    /// Spreads a large batch evenly over the slots (at least MinItemsPerSubmission each) so that filling one overlaps
    /// decoding another; a slot that fills up first ends its submission earlier.
    /// </summary>
    private int ItemsPerSubmission(int items)
    {
        if (minItemsPerSubmission == 0 || items < 2 * minItemsPerSubmission) return int.MaxValue;
        return Math.Max(minItemsPerSubmission, (items + slots.Length - 1) / slots.Length);
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
