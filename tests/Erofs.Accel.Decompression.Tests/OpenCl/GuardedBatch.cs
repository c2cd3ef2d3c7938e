using Erofs.Accel.Decompression.OpenCl;

namespace Erofs.Accel.Decompression.Tests.OpenCl;

/// <summary>
/// A batch whose destinations are slices of one big array with guard bytes between them: after decoding, every
/// guard must still hold the fill pattern (nothing was written outside a destination).
/// </summary>
public sealed class GuardedBatch
{
    public const int GuardLength = 48;
    public const byte Fill = 0xCD;

    private readonly byte[] memory;
    private readonly int[] offsets;
    private readonly int[] lengths;

    public DecompressionRequest[] Requests { get; }
    public DecompressionResult[] Results { get; }

    public GuardedBatch(IReadOnlyList<(byte[] Source, DecodeParameters Parameters, int DestinationLength)> items)
    {
        long total = GuardLength;
        foreach (var it in items) total += it.DestinationLength + GuardLength;
        memory = new byte[total];
        memory.AsSpan().Fill(Fill);
        offsets = new int[items.Count];
        lengths = new int[items.Count];
        Requests = new DecompressionRequest[items.Count];
        Results = new DecompressionResult[items.Count];
        int at = GuardLength;
        for (int i = 0; i < items.Count; i++)
        {
            offsets[i] = at;
            lengths[i] = items[i].DestinationLength;
            Requests[i] = new DecompressionRequest(items[i].Source, memory.AsMemory(at, lengths[i]), items[i].Parameters);
            at += lengths[i] + GuardLength;
        }
    }

    public static GuardedBatch Of(IEnumerable<PclusterSample> samples) =>
        new(samples.Select(s => (s.Compressed, s.Parameters, s.Expected.Length)).ToList());

    public ReadOnlySpan<byte> Destination(int i) => memory.AsSpan(offsets[i], lengths[i]);

    public async Task RunAsync(IBatchDecompressionBackend backend) =>
        await backend.DecodeBatchAsync(Requests, Results, TestContext.Current.CancellationToken);

    /// <summary>Index of the first damaged guard, or -1.</summary>
    public int FirstDamagedGuard()
    {
        if (memory.AsSpan(0, GuardLength).ContainsAnyExcept(Fill)) return 0;
        for (int i = 0; i < offsets.Length; i++)
            if (memory.AsSpan(offsets[i] + lengths[i], GuardLength).ContainsAnyExcept(Fill)) return i;
        return -1;
    }

    public void AssertGuards(OpenClBackend backend, long guardViolationsBefore)
    {
        Assert.Equal(-1, FirstDamagedGuard());
        Assert.Equal(guardViolationsBefore, backend.GuardViolations);
    }
}
