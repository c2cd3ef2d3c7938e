using System.Runtime.InteropServices;
using Silk.NET.OpenCL;

namespace Erofs.Accel.Decompression.OpenCl;

/// <summary>
/// One reusable set of batch buffers (input, output, descriptors, results) with its own kernel objects, owned by
/// at most one batch at a time. LZ4 items fill the descriptor table from the front, DEFLATE items from the back,
/// so each algorithm is one contiguous kernel launch. Completion arrives through an OpenCL event callback.
/// </summary>
internal sealed unsafe class OpenClBatchSlot : IDisposable
{
    public const byte GuardPattern = 0xA5;

    private static readonly EventNotifyCallback CompletionCallback = OnEventComplete;

    private readonly OpenClDeviceRuntime runtime;
    private readonly bool zeroCopy;
    private readonly bool groupLayout;
    private readonly int localSize;
    private readonly int guardBytes;
    private readonly OpenClMemHandle inputBuffer, outputBuffer, descriptorBuffer, resultBuffer;
    private readonly OpenClMemHandle? inputStage, outputStage, descriptorStage, resultStage;
    private readonly AlignedNativeMemory? inputHost, outputHost, descriptorHost, resultHost;
    private readonly OpenClKernelHandle lz4Kernel, deflateKernel;
    private readonly int[] requestIndex;
    private readonly int[] skip;
    private GCHandle self;

    private byte* hostIn, hostOut;
    private OpenClItemDescriptor* hostDesc;
    private OpenClItemResult* hostRes;
    private int lz4Count, deflateCount, usedIn, usedOut;
    private TaskCompletionSource<int>? completion;
    private nint markerEvent;
    private long submittedAt, completedAt;

    /// <summary>Stopwatch ticks between the last submission and its completion callback.</summary>
    public long LastDeviceTicks => completedAt - submittedAt;

    public int MaxItems { get; }
    public int InputCapacity { get; }
    public int OutputCapacity { get; }
    public int Count => lz4Count + deflateCount;
    public int InputBytesUsed => usedIn;
    public int OutputBytesUsed => usedOut;

    /// <summary>Set when a batch outlived its deadline: the device may still write into these buffers.</summary>
    public bool Abandoned { get; set; }

    public OpenClBatchSlot(OpenClDeviceRuntime runtime, int maxItems, int inputCapacity, int outputCapacity,
        bool zeroCopy, bool groupLayout, int localSize, int guardBytes)
    {
        this.runtime = runtime;
        this.zeroCopy = zeroCopy;
        this.groupLayout = groupLayout;
        this.localSize = localSize;
        this.guardBytes = guardBytes;
        MaxItems = maxItems;
        InputCapacity = inputCapacity;
        OutputCapacity = outputCapacity;
        requestIndex = new int[maxItems];
        skip = new int[maxItems];
        var api = OpenClNative.Api;
        nuint descBytes = (nuint)(maxItems * sizeof(OpenClItemDescriptor));
        nuint resBytes = (nuint)(maxItems * sizeof(OpenClItemResult));
        try
        {
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
                hostRes = (OpenClItemResult*)Map(resultBuffer, MapFlags.Read | MapFlags.Write, resBytes, blocking: true);
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
        if (guardBytes > 0) new Span<byte>(hostOut, guardBytes).Fill(GuardPattern);
    }

    /// <summary>Room for one more item of these sizes?</summary>
    public bool Fits(int sourceLength, int decodedLength) =>
        Count < MaxItems
        && sourceLength <= InputCapacity - usedIn
        && (long)decodedLength + guardBytes <= OutputCapacity - usedOut;

    /// <summary>Copies the item's input in and writes its descriptor; false when the slot is full.</summary>
    public bool TryAdd(ReadOnlySpan<byte> source, in DecodeParameters parameters, int request)
    {
        if (!Fits(source.Length, parameters.DecodedLength)) return false;
        source.CopyTo(new Span<byte>(hostIn + usedIn, source.Length));
        var d = new OpenClItemDescriptor
        {
            InputOffset = (uint)usedIn,
            InputLength = (uint)source.Length,
            OutputOffset = (uint)usedOut,
            OutputCapacity = (uint)parameters.DecodedLength,
            Flags = parameters.Partial ? OpenClItemDescriptor.FlagPartial : 0u,
        };
        int k = parameters.Algorithm == CompressionAlgorithm.Lz4 ? lz4Count++ : MaxItems - ++deflateCount;
        hostDesc[k] = d;
        requestIndex[k] = request;
        skip[k] = parameters.DecodedSkip;
        usedIn += source.Length;
        usedOut += parameters.DecodedLength;
        if (guardBytes > 0)
        {
            new Span<byte>(hostOut + usedOut, guardBytes).Fill(GuardPattern);
            usedOut += guardBytes;
        }
        return true;
    }

    /// <summary>Test hook: places raw input bytes and descriptors as given (no host checks beyond buffer sizes of the copy).</summary>
    internal void LoadRaw(ReadOnlySpan<byte> input, ReadOnlySpan<OpenClItemDescriptor> lz4Items, ReadOnlySpan<OpenClItemDescriptor> deflateItems, int outputBytes)
    {
        Reset();
        input.CopyTo(new Span<byte>(hostIn, InputCapacity));
        usedIn = input.Length;
        usedOut = outputBytes;
        for (int i = 0; i < lz4Items.Length; i++) { hostDesc[i] = lz4Items[i]; requestIndex[i] = i; }
        for (int i = 0; i < deflateItems.Length; i++)
        {
            int k = MaxItems - deflateItems.Length + i;
            hostDesc[k] = deflateItems[i];
            requestIndex[k] = lz4Items.Length + i;
        }
        lz4Count = lz4Items.Length;
        deflateCount = deflateItems.Length;
    }

    /// <summary>Slot index of the n-th item (LZ4 items first, then DEFLATE items).</summary>
    public int SlotIndexOf(int ordinal) => ordinal < lz4Count ? ordinal : MaxItems - deflateCount + (ordinal - lz4Count);

    public int RequestIndexAt(int slotIndex) => requestIndex[slotIndex];

    public ref readonly OpenClItemDescriptor DescriptorAt(int slotIndex) => ref hostDesc[slotIndex];

    public OpenClItemResult ResultAt(int slotIndex) => hostRes[slotIndex];

    /// <summary>Decoded bytes of an item as the device left them (only valid after completion).</summary>
    public ReadOnlySpan<byte> OutputOf(int slotIndex, int length) => new(hostOut + hostDesc[slotIndex].OutputOffset, length);

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
        nint queue = runtime.Queue.Raw;
        var tcs = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        completion = tcs;
        Abandoned = false;
        submittedAt = System.Diagnostics.Stopwatch.GetTimestamp();
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
        if (lz4Count > 0) Launch(lz4Kernel, 0, lz4Count);
        if (deflateCount > 0) Launch(deflateKernel, MaxItems - deflateCount, deflateCount);
        if (zeroCopy)
        {
            hostOut = (byte*)Map(outputBuffer, MapFlags.Read | MapFlags.Write, (nuint)OutputCapacity, blocking: false);
            hostRes = (OpenClItemResult*)Map(resultBuffer, MapFlags.Read | MapFlags.Write, resBytes, blocking: false);
            hostIn = (byte*)Map(inputBuffer, MapFlags.WriteInvalidateRegion, (nuint)InputCapacity, blocking: false);
            hostDesc = (OpenClItemDescriptor*)Map(descriptorBuffer, MapFlags.WriteInvalidateRegion, descBytes, blocking: false);
        }
        else
        {
            if (usedOut > 0) Read(outputBuffer, 0, (nuint)usedOut, hostOut);
            ReadTableRanges(resultBuffer, (byte*)hostRes, sizeof(OpenClItemResult));
        }
        nint marker;
        OpenClNative.Check(api.EnqueueMarkerWithWaitList(queue, 0, null, &marker), "clEnqueueMarkerWithWaitList");
        markerEvent = marker;
        const int ClComplete = 0;
        OpenClNative.Check(api.SetEventCallback(marker, ClComplete, CompletionCallback, (void*)GCHandle.ToIntPtr(self)), "clSetEventCallback");
        OpenClNative.Check(api.Flush(queue), "clFlush");
        return tcs.Task;
    }

    /// <summary>Releases the completion event of the last batch (after its callback ran).</summary>
    public void ReleaseEvent()
    {
        var e = Interlocked.Exchange(ref markerEvent, 0);
        if (e != 0) OpenClNative.Api.ReleaseEvent(e);
    }

    private static void OnEventComplete(nint evt, int status, void* userData)
    {
        try
        {
            if (GCHandle.FromIntPtr((nint)userData).Target is OpenClBatchSlot slot)
            {
                slot.completedAt = System.Diagnostics.Stopwatch.GetTimestamp();
                slot.completion?.TrySetResult(status);
            }
        }
        catch (InvalidOperationException)
        {
            // the slot was disposed while the device still ran: nothing to signal
        }
    }

    private void Launch(OpenClKernelHandle kernel, int first, int count)
    {
        var api = OpenClNative.Api;
        uint f = (uint)first, c = (uint)count;
        OpenClNative.Check(api.SetKernelArg(kernel.Raw, 6, sizeof(uint), &f), "clSetKernelArg first");
        OpenClNative.Check(api.SetKernelArg(kernel.Raw, 7, sizeof(uint), &c), "clSetKernelArg count");
        nuint local = (nuint)localSize;
        nuint global = groupLayout ? (nuint)count * local : ((nuint)count + local - 1) / local * local;
        OpenClNative.Check(api.EnqueueNdrangeKernel(runtime.Queue.Raw, kernel.Raw, 1, null, &global, &local, 0, null, null),
            "clEnqueueNDRangeKernel");
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

    private void* Map(OpenClMemHandle buffer, MapFlags flags, nuint size, bool blocking)
    {
        int err;
        void* p = OpenClNative.Api.EnqueueMapBuffer(runtime.Queue.Raw, buffer.Raw, blocking, flags, 0, size, 0, null, null, &err);
        OpenClNative.Check(err, "clEnqueueMapBuffer");
        return p;
    }

    private void Unmap(OpenClMemHandle buffer, void* mapped) =>
        OpenClNative.Check(OpenClNative.Api.EnqueueUnmapMemObject(runtime.Queue.Raw, buffer.Raw, mapped, 0, null, null), "clEnqueueUnmapMemObject");

    private void Write(OpenClMemHandle buffer, nuint offset, nuint size, void* host) =>
        OpenClNative.Check(OpenClNative.Api.EnqueueWriteBuffer(runtime.Queue.Raw, buffer.Raw, false, offset, size, host, 0, null, null), "clEnqueueWriteBuffer");

    private void Read(OpenClMemHandle buffer, nuint offset, nuint size, void* host) =>
        OpenClNative.Check(OpenClNative.Api.EnqueueReadBuffer(runtime.Queue.Raw, buffer.Raw, false, offset, size, host, 0, null, null), "clEnqueueReadBuffer");

    public void Dispose()
    {
        if (Abandoned) return;   // the device may still use the buffers: leak rather than free under it
        DisposeNative();
    }

    private void DisposeNative()
    {
        ReleaseEvent();
        try
        {
            var queue = runtime.Queue;
            if (!queue.IsClosed)
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
        }
        catch (OpenClException)
        {
            // best effort on the way out
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
        if (self.IsAllocated) self.Free();
    }
}
