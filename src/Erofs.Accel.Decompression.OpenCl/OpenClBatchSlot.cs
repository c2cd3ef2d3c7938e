using System.Diagnostics;
using System.Runtime.InteropServices;
using Silk.NET.OpenCL;

namespace Erofs.Accel.Decompression.OpenCl;

/// <summary>
/// One reusable set of batch buffers (input, output, descriptors, results) with its own in-order queue and kernel
/// objects, owned by at most one batch at a time. Everything is made once, when the backend starts: a submission
/// only copies, enqueues and launches. LZ4 descriptors fill the table from the front, DEFLATE from the back, so each
/// algorithm is one launch. Only the bytes a batch uses cross the bus. Completion arrives through an event callback.
/// </summary>
internal sealed unsafe class OpenClBatchSlot : IDisposable
{
    public const byte GuardPattern = 0xA5;

    /// <summary>Smallest output ring of the group kernels (2^12 bytes: longer than any DEFLATE match).</summary>
    public const int MinRingBits = 12;

    private const int MaxEvents = 16;
    private const int ClComplete = 0;

    private static readonly EventNotifyCallback CompletionCallback = OnEventComplete;

    private readonly OpenClDeviceRuntime runtime;
    private readonly OpenClQueueHandle queue;
    private readonly bool zeroCopy;
    private readonly bool groupLayout;
    private readonly bool profiling;
    private readonly int localSize;
    private readonly int maxRingBits;
    private readonly int guardBytes;
    private readonly OpenClMemHandle inputBuffer, outputBuffer, descriptorBuffer, resultBuffer;
    private readonly OpenClMemHandle? inputStage, outputStage, descriptorStage, resultStage;
    private readonly AlignedNativeMemory? inputHost, outputHost, descriptorHost, resultHost;
    private readonly OpenClKernelHandle lz4Kernel, deflateKernel;
    private readonly int[] requestIndex;
    private readonly int[] skip;
    private readonly nint[] events = new nint[MaxEvents];
    private readonly EventStage[] eventStages = new EventStage[MaxEvents];
    private GCHandle self;

    private byte* hostIn, hostOut;
    private OpenClItemDescriptor* hostDesc;
    private OpenClItemResult* hostRes;
    private int lz4Count, deflateCount, usedIn, usedOut, lz4MaxOutput, deflateMaxOutput;
    private int eventCount;
    private TaskCompletionSource<int>? completion;
    private nint markerEvent;
    private long submittedAt, enqueuedAt, completedAt;

    private enum EventStage : byte { Upload, Kernel, Download }

    public int MaxItems { get; }
    public int InputCapacity { get; }
    public int OutputCapacity { get; }
    public int Count => lz4Count + deflateCount;
    public int InputBytesUsed => usedIn;
    public int OutputBytesUsed => usedOut;

    /// <summary>Stopwatch ticks spent in the API calls of the last submission.</summary>
    public long LastEnqueueTicks => enqueuedAt - submittedAt;

    /// <summary>Stopwatch ticks between the start of the last submission and its completion callback.</summary>
    public long LastDeviceTicks => completedAt - submittedAt;

    /// <summary>Set when a batch outlived its deadline: the device may still write into these buffers.</summary>
    public bool Abandoned { get; set; }

    public OpenClBatchSlot(OpenClDeviceRuntime runtime, int maxItems, int inputCapacity, int outputCapacity,
        bool zeroCopy, bool groupLayout, int localSize, int maxRingBits, int guardBytes, bool profiling)
    {
        this.runtime = runtime;
        this.zeroCopy = zeroCopy;
        this.groupLayout = groupLayout;
        this.localSize = localSize;
        this.maxRingBits = maxRingBits;
        this.guardBytes = guardBytes;
        this.profiling = profiling;
        MaxItems = maxItems;
        InputCapacity = inputCapacity;
        OutputCapacity = outputCapacity;
        requestIndex = new int[maxItems];
        skip = new int[maxItems];
        nuint descBytes = (nuint)(maxItems * sizeof(OpenClItemDescriptor));
        nuint resBytes = (nuint)(maxItems * sizeof(OpenClItemResult));
        try
        {
            queue = runtime.CreateQueue(profiling);
            if (zeroCopy)
            {
                inputHost = new AlignedNativeMemory((nuint)inputCapacity, 4096);
                outputHost = new AlignedNativeMemory((nuint)outputCapacity, 4096);
                descriptorHost = new AlignedNativeMemory(descBytes, 4096);
                resultHost = new AlignedNativeMemory(resBytes, 4096);
                inputBuffer = CreateBuffer(MemFlags.ReadOnly | MemFlags.UseHostPtr, (nuint)inputCapacity, inputHost.Pointer);
                outputBuffer = CreateBuffer(MemFlags.ReadWrite | MemFlags.UseHostPtr, (nuint)outputCapacity, outputHost.Pointer);
                descriptorBuffer = CreateBuffer(MemFlags.ReadOnly | MemFlags.UseHostPtr, descBytes, descriptorHost.Pointer);
                resultBuffer = CreateBuffer(MemFlags.WriteOnly | MemFlags.UseHostPtr, resBytes, resultHost.Pointer);
                hostIn = (byte*)Map(inputBuffer, MapFlags.WriteInvalidateRegion, (nuint)inputCapacity, blocking: true);
                hostOut = (byte*)Map(outputBuffer, MapFlags.Read | MapFlags.Write, (nuint)outputCapacity, blocking: true);
                hostDesc = (OpenClItemDescriptor*)Map(descriptorBuffer, MapFlags.WriteInvalidateRegion, descBytes, blocking: true);
                hostRes = (OpenClItemResult*)Map(resultBuffer, MapFlags.Read, resBytes, blocking: true);
            }
            else
            {
                inputBuffer = CreateBuffer(MemFlags.ReadOnly, (nuint)inputCapacity, null);
                outputBuffer = CreateBuffer(MemFlags.ReadWrite, (nuint)outputCapacity, null);
                descriptorBuffer = CreateBuffer(MemFlags.ReadOnly, descBytes, null);
                resultBuffer = CreateBuffer(MemFlags.WriteOnly, resBytes, null);
                inputStage = CreateBuffer(MemFlags.ReadWrite | MemFlags.AllocHostPtr, (nuint)inputCapacity, null);
                outputStage = CreateBuffer(MemFlags.ReadWrite | MemFlags.AllocHostPtr, (nuint)outputCapacity, null);
                descriptorStage = CreateBuffer(MemFlags.ReadWrite | MemFlags.AllocHostPtr, descBytes, null);
                resultStage = CreateBuffer(MemFlags.ReadWrite | MemFlags.AllocHostPtr, resBytes, null);
                // Mapped once for the slot's lifetime: pinned host memory the transfers read from and write into.
                hostIn = (byte*)Map(inputStage, MapFlags.Read | MapFlags.Write, (nuint)inputCapacity, blocking: true);
                hostOut = (byte*)Map(outputStage, MapFlags.Read | MapFlags.Write, (nuint)outputCapacity, blocking: true);
                hostDesc = (OpenClItemDescriptor*)Map(descriptorStage, MapFlags.Read | MapFlags.Write, descBytes, blocking: true);
                hostRes = (OpenClItemResult*)Map(resultStage, MapFlags.Read | MapFlags.Write, resBytes, blocking: true);
            }
            lz4Kernel = runtime.CreateKernel(groupLayout ? OpenClKernelSource.Lz4Groups : OpenClKernelSource.Lz4Items);
            deflateKernel = runtime.CreateKernel(groupLayout ? OpenClKernelSource.DeflateGroups : OpenClKernelSource.DeflateItems);
            SetFixedArguments(lz4Kernel);
            SetFixedArguments(deflateKernel);
            self = GCHandle.Alloc(this);
        }
        catch
        {
            DisposeNative();
            throw;
        }
    }

    /// <summary>Forgets the previous batch. The slot must be idle (completed, not abandoned).</summary>
    public void Reset()
    {
        lz4Count = 0;
        deflateCount = 0;
        usedIn = 0;
        usedOut = guardBytes;
        lz4MaxOutput = 0;
        deflateMaxOutput = 0;
        if (guardBytes > 0) new Span<byte>(hostOut, guardBytes).Fill(GuardPattern);
    }

    /// <summary>Room for one more item of these sizes?</summary>
    public bool Fits(int sourceLength, int decodedLength) =>
        Count < MaxItems
        && sourceLength <= InputCapacity - usedIn
        && (long)decodedLength + guardBytes <= OutputCapacity - usedOut;

    /// <summary>
    /// Places one item: reserves its input and output ranges and writes its descriptor; false when the slot is full.
    /// Returns where its input goes (<paramref name="inputOffset"/>); the caller copies it there with
    /// <see cref="InputAt"/> (several items may be copied at once by different threads).
    /// </summary>
    public bool TryPlace(int sourceLength, in DecodeParameters parameters, int request, out int inputOffset)
    {
        inputOffset = 0;
        if (!Fits(sourceLength, parameters.DecodedLength)) return false;
        inputOffset = usedIn;
        var d = new OpenClItemDescriptor
        {
            InputOffset = (uint)usedIn,
            InputLength = (uint)sourceLength,
            OutputOffset = (uint)usedOut,
            OutputCapacity = (uint)parameters.DecodedLength,
            Flags = parameters.Partial ? OpenClItemDescriptor.FlagPartial : 0u,
        };
        int k;
        if (parameters.Algorithm == CompressionAlgorithm.Lz4)
        {
            k = lz4Count++;
            lz4MaxOutput = Math.Max(lz4MaxOutput, parameters.DecodedLength);
        }
        else
        {
            k = MaxItems - ++deflateCount;
            deflateMaxOutput = Math.Max(deflateMaxOutput, parameters.DecodedLength);
        }
        hostDesc[k] = d;
        requestIndex[k] = request;
        skip[k] = parameters.DecodedSkip;
        usedIn += sourceLength;
        usedOut += parameters.DecodedLength;
        if (guardBytes > 0)
        {
            new Span<byte>(hostOut + usedOut, guardBytes).Fill(GuardPattern);
            usedOut += guardBytes;
        }
        return true;
    }

    /// <summary>Places one item and copies its input in (one thread); false when the slot is full.</summary>
    public bool TryAdd(ReadOnlySpan<byte> source, in DecodeParameters parameters, int request)
    {
        if (!TryPlace(source.Length, parameters, request, out int at)) return false;
        source.CopyTo(InputAt(at, source.Length));
        return true;
    }

    /// <summary>The input range reserved by <see cref="TryPlace"/>.</summary>
    public Span<byte> InputAt(int offset, int length) => new(hostIn + offset, length);

    /// <summary>Test hook: places raw input bytes and descriptors as given (no host checks beyond buffer sizes of the copy).</summary>
    internal void LoadRaw(ReadOnlySpan<byte> input, ReadOnlySpan<OpenClItemDescriptor> lz4Items, ReadOnlySpan<OpenClItemDescriptor> deflateItems, int outputBytes)
    {
        Reset();
        input.CopyTo(new Span<byte>(hostIn, InputCapacity));
        usedIn = input.Length;
        usedOut = outputBytes;
        for (int i = 0; i < lz4Items.Length; i++)
        {
            hostDesc[i] = lz4Items[i];
            requestIndex[i] = i;
            lz4MaxOutput = Math.Max(lz4MaxOutput, (int)Math.Min(int.MaxValue, lz4Items[i].OutputCapacity));
        }
        for (int i = 0; i < deflateItems.Length; i++)
        {
            int k = MaxItems - deflateItems.Length + i;
            hostDesc[k] = deflateItems[i];
            requestIndex[k] = lz4Items.Length + i;
            deflateMaxOutput = Math.Max(deflateMaxOutput, (int)Math.Min(int.MaxValue, deflateItems[i].OutputCapacity));
        }
        lz4Count = lz4Items.Length;
        deflateCount = deflateItems.Length;
    }

    /// <summary>Slot index of the n-th item (LZ4 items first, then DEFLATE items).</summary>
    public int SlotIndexOf(int ordinal) => ordinal < lz4Count ? ordinal : MaxItems - deflateCount + (ordinal - lz4Count);

    public int RequestIndexAt(int slotIndex) => requestIndex[slotIndex];

    public ref readonly OpenClItemDescriptor DescriptorAt(int slotIndex) => ref hostDesc[slotIndex];

    public OpenClItemResult ResultAt(int slotIndex) => hostRes[slotIndex];

    /// <summary>Whole used part of the output buffer (guard checks in tests).</summary>
    public ReadOnlySpan<byte> UsedOutput => new(hostOut, usedOut);

    /// <summary>True when the guard regions before and after the item still hold the pattern.</summary>
    public bool GuardsIntact(int slotIndex)
    {
        if (guardBytes == 0) return true;
        ref readonly var d = ref hostDesc[slotIndex];
        var before = new ReadOnlySpan<byte>(hostOut + d.OutputOffset - guardBytes, guardBytes);
        var after = new ReadOnlySpan<byte>(hostOut + d.OutputOffset + d.OutputCapacity, guardBytes);
        return !before.ContainsAnyExcept(GuardPattern) && !after.ContainsAnyExcept(GuardPattern);
    }

    /// <summary>Maps the device answer for one item to a status and copies its bytes to the destination.</summary>
    public DecodeStatus Collect(int slotIndex, Span<byte> destination, out int written)
    {
        written = 0;
        var r = hostRes[slotIndex];
        ref readonly var d = ref hostDesc[slotIndex];
        switch ((OpenClItemStatus)r.Status)
        {
            case OpenClItemStatus.Ok:
                if (r.Produced != d.OutputCapacity) return DecodeStatus.WrongLength;
                int length = (int)d.OutputCapacity - skip[slotIndex];
                if (length > destination.Length) return DecodeStatus.BackendFailure;
                new ReadOnlySpan<byte>(hostOut + d.OutputOffset + skip[slotIndex], length).CopyTo(destination);
                written = length;
                return DecodeStatus.Done;
            case OpenClItemStatus.Corrupt:
            case OpenClItemStatus.Truncated:
            case OpenClItemStatus.Overflow:
            case OpenClItemStatus.Short:
                return DecodeStatus.CorruptData;
            default:
                return DecodeStatus.BackendFailure;
        }
    }

    /// <summary>
    /// Validates every descriptor, enqueues transfers and kernels, and returns a task completed by the event
    /// callback with the OpenCL execution status (0 = complete, negative = device error). Caller serialises.
    /// </summary>
    public Task<int> Submit()
    {
        for (int i = 0; i < Count; i++)
        {
            int k = SlotIndexOf(i);
            if (!OpenClDescriptorValidator.IsValid(hostDesc[k], usedIn, usedOut))
                throw new InvalidOperationException($"descriptor {k} leaves the batch buffers");
        }
        return SubmitUnchecked();
    }

    /// <summary>Enqueues without host validation (test hook: shows the kernels' own checks).</summary>
    internal Task<int> SubmitUnchecked()
    {
        var api = OpenClNative.Api;
        var tcs = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        completion = tcs;
        Abandoned = false;
        eventCount = 0;
        submittedAt = Stopwatch.GetTimestamp();
        nuint descBytes = (nuint)(MaxItems * sizeof(OpenClItemDescriptor));
        nuint resBytes = (nuint)(MaxItems * sizeof(OpenClItemResult));
        if (zeroCopy)
        {
            Unmap(inputBuffer, hostIn);
            Unmap(outputBuffer, hostOut);
            Unmap(descriptorBuffer, hostDesc);
            Unmap(resultBuffer, hostRes);
        }
        else
        {
            if (usedIn > 0) Write(inputBuffer, 0, (nuint)usedIn, hostIn);
            if (guardBytes > 0 && usedOut > 0) Write(outputBuffer, 0, (nuint)usedOut, hostOut);
            WriteTableRanges(descriptorBuffer, (byte*)hostDesc, sizeof(OpenClItemDescriptor));
        }
        if (lz4Count > 0) Launch(lz4Kernel, 0, lz4Count, lz4MaxOutput);
        if (deflateCount > 0) Launch(deflateKernel, MaxItems - deflateCount, deflateCount, deflateMaxOutput);
        if (zeroCopy)
        {
            // only what the batch used comes back; input and descriptors are overwritten anyway (no copy-in)
            nuint outBytes = guardBytes > 0 ? (nuint)OutputCapacity : (nuint)Math.Max(usedOut, 1);
            hostOut = (byte*)Map(outputBuffer, MapFlags.Read | MapFlags.Write, outBytes, blocking: false, EventStage.Download);
            hostRes = (OpenClItemResult*)Map(resultBuffer, MapFlags.Read, resBytes, blocking: false, EventStage.Download);
            hostIn = (byte*)Map(inputBuffer, MapFlags.WriteInvalidateRegion, (nuint)InputCapacity, blocking: false);
            hostDesc = (OpenClItemDescriptor*)Map(descriptorBuffer, MapFlags.WriteInvalidateRegion, descBytes, blocking: false);
        }
        else
        {
            if (usedOut > 0) Read(outputBuffer, 0, (nuint)usedOut, hostOut);
            ReadTableRanges(resultBuffer, (byte*)hostRes, sizeof(OpenClItemResult));
        }
        nint marker;
        OpenClNative.Check(api.EnqueueMarkerWithWaitList(queue.Raw, 0, null, &marker), "clEnqueueMarkerWithWaitList");
        markerEvent = marker;
        OpenClNative.Check(api.SetEventCallback(marker, ClComplete, CompletionCallback, (void*)GCHandle.ToIntPtr(self)), "clSetEventCallback");
        OpenClNative.Check(api.Flush(queue.Raw), "clFlush");
        enqueuedAt = Stopwatch.GetTimestamp();
        return tcs.Task;
    }

    /// <summary>Releases the events of the last batch (after its callback ran); with profiling, first reads their timestamps.</summary>
    public void ReleaseEvents(out OpenClDeviceStages stages)
    {
        stages = default;
        var api = OpenClNative.Api;
        if (profiling && eventCount > 0) stages = ReadStages(api);
        for (int i = 0; i < eventCount; i++)
        {
            api.ReleaseEvent(events[i]);
            events[i] = 0;
        }
        eventCount = 0;
        var e = Interlocked.Exchange(ref markerEvent, 0);
        if (e != 0) api.ReleaseEvent(e);
    }

    /// <summary>Device timestamps of the last batch: queued-to-start of its first command, then busy time per stage.</summary>
    private OpenClDeviceStages ReadStages(CL api)
    {
        ulong upload = 0, kernels = 0, download = 0, queued = 0, firstStart = 0;
        for (int i = 0; i < eventCount; i++)
        {
            ulong start = 0, end = 0;
            if (api.GetEventProfilingInfo(events[i], ProfilingInfo.Start, sizeof(ulong), &start, null) != 0
                || api.GetEventProfilingInfo(events[i], ProfilingInfo.End, sizeof(ulong), &end, null) != 0)
                return default;
            if (i == 0)
            {
                firstStart = start;
                if (api.GetEventProfilingInfo(events[i], ProfilingInfo.Queued, sizeof(ulong), &queued, null) != 0) queued = start;
            }
            ulong busy = end > start ? end - start : 0;
            switch (eventStages[i])
            {
                case EventStage.Upload: upload += busy; break;
                case EventStage.Kernel: kernels += busy; break;
                default: download += busy; break;
            }
        }
        return new OpenClDeviceStages(true, firstStart > queued ? firstStart - queued : 0, upload, kernels, download);
    }

    private static void OnEventComplete(nint evt, int status, void* userData)
    {
        try
        {
            if (GCHandle.FromIntPtr((nint)userData).Target is OpenClBatchSlot slot)
            {
                slot.completedAt = Stopwatch.GetTimestamp();
                slot.completion?.TrySetResult(status);
            }
        }
        catch (InvalidOperationException)
        {
            // the slot was disposed while the device still ran: nothing to signal
        }
    }

    /// <summary>
    /// Launches one kernel over <paramref name="count"/> items. Group kernels get a local output ring as large as
    /// the largest item (a power of two, at least 4 KiB, at most what the device's local memory allows).
    /// </summary>
    private void Launch(OpenClKernelHandle kernel, int first, int count, int largestOutput)
    {
        var api = OpenClNative.Api;
        uint f = (uint)first, c = (uint)count;
        OpenClNative.Check(api.SetKernelArg(kernel.Raw, 6, sizeof(uint), &f), "clSetKernelArg first");
        OpenClNative.Check(api.SetKernelArg(kernel.Raw, 7, sizeof(uint), &c), "clSetKernelArg count");
        if (groupLayout)
        {
            uint bits = (uint)RingBitsFor(largestOutput, maxRingBits);
            OpenClNative.Check(api.SetKernelArg(kernel.Raw, 8, (nuint)1 << (int)bits, null), "clSetKernelArg ring");
            OpenClNative.Check(api.SetKernelArg(kernel.Raw, 9, sizeof(uint), &bits), "clSetKernelArg ring_bits");
        }
        nuint local = (nuint)localSize;
        nuint global = groupLayout ? (nuint)count * local : ((nuint)count + local - 1) / local * local;
        nint evt = 0;
        OpenClNative.Check(api.EnqueueNdrangeKernel(queue.Raw, kernel.Raw, 1, null, &global, &local, 0, null, profiling ? &evt : null),
            "clEnqueueNDRangeKernel");
        Keep(evt, EventStage.Kernel);
    }

    /// <summary>Ring size (log2) for items of at most <paramref name="largestOutput"/> decoded bytes.</summary>
    public static int RingBitsFor(int largestOutput, int maxRingBits)
    {
        int bits = MinRingBits;
        while (bits < maxRingBits && (1 << bits) < largestOutput) bits++;
        return bits;
    }

    private void SetFixedArguments(OpenClKernelHandle kernel)
    {
        var api = OpenClNative.Api;
        nint inRaw = inputBuffer.Raw, outRaw = outputBuffer.Raw, descRaw = descriptorBuffer.Raw, resRaw = resultBuffer.Raw;
        uint inSize = (uint)InputCapacity, outSize = (uint)OutputCapacity, zero = 0;
        OpenClNative.Check(api.SetKernelArg(kernel.Raw, 0, (nuint)sizeof(nint), &inRaw), "clSetKernelArg in");
        OpenClNative.Check(api.SetKernelArg(kernel.Raw, 1, sizeof(uint), &inSize), "clSetKernelArg in_size");
        OpenClNative.Check(api.SetKernelArg(kernel.Raw, 2, (nuint)sizeof(nint), &outRaw), "clSetKernelArg out");
        OpenClNative.Check(api.SetKernelArg(kernel.Raw, 3, sizeof(uint), &outSize), "clSetKernelArg out_size");
        OpenClNative.Check(api.SetKernelArg(kernel.Raw, 4, (nuint)sizeof(nint), &descRaw), "clSetKernelArg descs");
        OpenClNative.Check(api.SetKernelArg(kernel.Raw, 5, (nuint)sizeof(nint), &resRaw), "clSetKernelArg results");
        OpenClNative.Check(api.SetKernelArg(kernel.Raw, 6, sizeof(uint), &zero), "clSetKernelArg first");
        OpenClNative.Check(api.SetKernelArg(kernel.Raw, 7, sizeof(uint), &zero), "clSetKernelArg count");
    }

    private void WriteTableRanges(OpenClMemHandle buffer, byte* host, int entrySize)
    {
        if (lz4Count > 0) Write(buffer, 0, (nuint)(lz4Count * entrySize), host);
        if (deflateCount > 0)
        {
            nuint offset = (nuint)((MaxItems - deflateCount) * entrySize);
            Write(buffer, offset, (nuint)(deflateCount * entrySize), host + offset);
        }
    }

    private void ReadTableRanges(OpenClMemHandle buffer, byte* host, int entrySize)
    {
        if (lz4Count > 0) Read(buffer, 0, (nuint)(lz4Count * entrySize), host);
        if (deflateCount > 0)
        {
            nuint offset = (nuint)((MaxItems - deflateCount) * entrySize);
            Read(buffer, offset, (nuint)(deflateCount * entrySize), host + offset);
        }
    }

    private OpenClMemHandle CreateBuffer(MemFlags flags, nuint size, void* hostPtr)
    {
        int err;
        return OpenClHandle.Adopt<OpenClMemHandle>(
            OpenClNative.Api.CreateBuffer(runtime.Context.Raw, flags, size, hostPtr, &err), err, "clCreateBuffer");
    }

    /// <summary>Keeps a profiling event of this batch (released after completion); null handles are ignored.</summary>
    private void Keep(nint evt, EventStage stage)
    {
        if (evt == 0) return;
        if (eventCount == MaxEvents)
        {
            OpenClNative.Api.ReleaseEvent(evt);
            return;
        }
        events[eventCount] = evt;
        eventStages[eventCount++] = stage;
    }

    private void* Map(OpenClMemHandle buffer, MapFlags flags, nuint size, bool blocking, EventStage? stage = null)
    {
        int err;
        nint evt = 0;
        void* p = OpenClNative.Api.EnqueueMapBuffer(queue.Raw, buffer.Raw, blocking, flags, 0, size, 0, null,
            profiling && stage is not null ? &evt : null, &err);
        OpenClNative.Check(err, "clEnqueueMapBuffer");
        if (stage is { } s) Keep(evt, s);
        return p;
    }

    private void Unmap(OpenClMemHandle buffer, void* mapped)
    {
        nint evt = 0;
        OpenClNative.Check(OpenClNative.Api.EnqueueUnmapMemObject(queue.Raw, buffer.Raw, mapped, 0, null, profiling ? &evt : null),
            "clEnqueueUnmapMemObject");
        Keep(evt, EventStage.Upload);
    }

    private void Write(OpenClMemHandle buffer, nuint offset, nuint size, void* host)
    {
        nint evt = 0;
        OpenClNative.Check(OpenClNative.Api.EnqueueWriteBuffer(queue.Raw, buffer.Raw, false, offset, size, host, 0, null, profiling ? &evt : null),
            "clEnqueueWriteBuffer");
        Keep(evt, EventStage.Upload);
    }

    private void Read(OpenClMemHandle buffer, nuint offset, nuint size, void* host)
    {
        nint evt = 0;
        OpenClNative.Check(OpenClNative.Api.EnqueueReadBuffer(queue.Raw, buffer.Raw, false, offset, size, host, 0, null, profiling ? &evt : null),
            "clEnqueueReadBuffer");
        Keep(evt, EventStage.Download);
    }

    public void Dispose()
    {
        if (Abandoned) return;   // the device may still use the buffers: leak rather than free under it
        DisposeNative();
    }

    private void DisposeNative()
    {
        if (queue is not null && !queue.IsClosed)
        {
            try
            {
                if (zeroCopy)
                {
                    if (inputBuffer is not null && hostIn != null) Unmap(inputBuffer, hostIn);
                    if (outputBuffer is not null && hostOut != null) Unmap(outputBuffer, hostOut);
                    if (descriptorBuffer is not null && hostDesc != null) Unmap(descriptorBuffer, hostDesc);
                    if (resultBuffer is not null && hostRes != null) Unmap(resultBuffer, hostRes);
                }
                else
                {
                    if (inputStage is not null && hostIn != null) Unmap(inputStage, hostIn);
                    if (outputStage is not null && hostOut != null) Unmap(outputStage, hostOut);
                    if (descriptorStage is not null && hostDesc != null) Unmap(descriptorStage, hostDesc);
                    if (resultStage is not null && hostRes != null) Unmap(resultStage, hostRes);
                }
                OpenClNative.Api.Finish(queue.Raw);
            }
            catch (OpenClException)
            {
                // best effort on the way out
            }
            ReleaseEvents(out _);
        }
        hostIn = hostOut = null;
        hostDesc = null;
        hostRes = null;
        lz4Kernel?.Dispose();
        deflateKernel?.Dispose();
        inputBuffer?.Dispose();
        outputBuffer?.Dispose();
        descriptorBuffer?.Dispose();
        resultBuffer?.Dispose();
        inputStage?.Dispose();
        outputStage?.Dispose();
        descriptorStage?.Dispose();
        resultStage?.Dispose();
        inputHost?.Dispose();
        outputHost?.Dispose();
        descriptorHost?.Dispose();
        resultHost?.Dispose();
        queue?.Dispose();
        if (self.IsAllocated) self.Free();
    }
}

/// <summary>Device-side time of one batch from profiling events (nanoseconds; Measured false without profiling).</summary>
internal readonly record struct OpenClDeviceStages(bool Measured, ulong LaunchNs, ulong UploadNs, ulong KernelNs, ulong DownloadNs);
