using System.Buffers;

namespace Erofs.Accel.Decompression.Engine;

/// <summary>
/// A group of requests sent to a batch backend. The backend decodes into private pooled buffers (one per item), never
/// into the caller's memory; the engine copies accepted items out. Like <see cref="OffloadWorkItem"/> a state machine
/// decides whether the worker's answer or the caller's timeout/cancellation wins, and two references keep the buffers
/// until both the worker and the caller are done with them.
/// </summary>
internal sealed class BatchWorkItem
{
    private const int Queued = 1;
    private const int Running = 2;
    private const int Completing = 3;
    private const int Abandoned = 4;

    private readonly BatchLane _lane;
    private readonly TaskCompletionSource<Exception?> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _state = Queued;
    private int _references = 2;

    public BatchWorkItem(BatchLane lane, int count)
    {
        _lane = lane;
        Count = count;
        OriginalIndex = ArrayPool<int>.Shared.Rent(count);
        Requests = ArrayPool<DecompressionRequest>.Shared.Rent(count);
        Results = ArrayPool<DecompressionResult>.Shared.Rent(count);
        Outputs = ArrayPool<byte[]>.Shared.Rent(count);
    }

    public int Count { get; }

    /// <summary>Index of each item in the caller's batch.</summary>
    public int[] OriginalIndex { get; }

    /// <summary>Requests as the backend sees them: the caller's source, a private destination.</summary>
    public DecompressionRequest[] Requests { get; }

    public DecompressionResult[] Results { get; }

    public byte[][] Outputs { get; }

    public bool IsProbe { get; set; }

    public Task<Exception?> Completion => _completion.Task;

    /// <summary>Adds item <paramref name="slot"/>: request <paramref name="request"/> from caller index <paramref name="index"/>.</summary>
    public void Set(int slot, int index, in DecompressionRequest request)
    {
        int length = request.Parameters.OutputLength;
        var output = ArrayPool<byte>.Shared.Rent(length);
        _lane.BufferRented();
        OriginalIndex[slot] = index;
        Outputs[slot] = output;
        Requests[slot] = request with { Destination = output.AsMemory(0, length) };
        Results[slot] = default;
    }

    public bool TryStart() => Interlocked.CompareExchange(ref _state, Running, Queued) == Queued;

    public bool TryBeginComplete() => Interlocked.CompareExchange(ref _state, Completing, Running) == Running;

    public void Complete(Exception? error) => _completion.TrySetResult(error);

    /// <summary>Caller: takes the batch back (timeout, cancellation, queue closed) unless the worker already won.</summary>
    public bool TryAbandon()
    {
        while (true)
        {
            int state = Volatile.Read(ref _state);
            if (state is not (Queued or Running)) return false;
            if (Interlocked.CompareExchange(ref _state, Abandoned, state) == state) return true;
        }
    }

    /// <summary>Drops one reference; the last returns every pooled buffer.</summary>
    public void Release()
    {
        if (Interlocked.Decrement(ref _references) != 0) return;
        for (int i = 0; i < Count; i++)
        {
            ArrayPool<byte>.Shared.Return(Outputs[i]);
            _lane.BufferReturned();
        }
        ArrayPool<byte[]>.Shared.Return(Outputs, clearArray: true);
        ArrayPool<DecompressionRequest>.Shared.Return(Requests, clearArray: true);
        ArrayPool<DecompressionResult>.Shared.Return(Results);
        ArrayPool<int>.Shared.Return(OriginalIndex);
    }
}
