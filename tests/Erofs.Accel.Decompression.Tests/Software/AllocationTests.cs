using Erofs.Accel.Decompression.Backends.Deflate;
using Erofs.Accel.Decompression.Tests.TestSupport;
using Erofs.Accel.Decompression.Tests.TestSupport.Encoders;

namespace Erofs.Accel.Decompression.Tests.Software;

/// <summary>Steady-state decodes allocate no managed memory (the BCL inflater is the documented exception).</summary>
public sealed class AllocationTests
{
    public static TheoryData<string> AllocationFreeBackends()
    {
        var data = new TheoryData<string>();
        foreach (var backend in TestBackends.All)
            if (backend.Name != BclDeflateBackend.BackendName) data.Add(backend.Name);
        return data;
    }

    [Theory]
    [MemberData(nameof(AllocationFreeBackends))]
    public void SteadyStateDecodesAllocateNothing(string backendName)
    {
        // A private instance: shared ones are also used by tests running in parallel, and a context pool that is
        // momentarily empty legitimately creates (allocates) another context.
        var backend = SoftwareBackends.CreateAll().Single(b => b.Name == backendName);
        using var disposeBackend = backend as IDisposable;
        if (!backend.Availability.IsAvailable) Assert.Skip($"{backendName} {backend.Availability}");
        var encoder = EncoderCatalog.For(backend.Algorithm).First(e => e.MissingReason is null);
        var sample = SampleCatalog.For(encoder.Name).Single(s => s.Kind == DataKind.Mixed && s.InputLength == 65536);
        var destination = new byte[sample.Decoded.Length];
        var requests = new List<DecodeParameters> { sample.Parameters, sample.Parameters with { DecodedSkip = 1000 } };
        if (backend.SupportsPartial)
        {
            requests.Add(sample.Parameters with { Partial = true, DecodedLength = sample.Decoded.Length / 2 });
            requests.Add(sample.Parameters with { Partial = true, DecodedLength = sample.Decoded.Length / 2, DecodedSkip = 5000 });
        }

        // Warm everything up first (first calls, tier-up of the JIT), then measure. The runtime itself may allocate a
        // little on this thread once in a while (tiering bookkeeping), so a request passes when one of five rounds of
        // 20 decodes allocates nothing; a per-call allocation would show in every round.
        foreach (var parameters in requests)
            for (int warm = 0; warm < 50; warm++) backend.Decode(sample.Compressed, destination, parameters, out _);

        foreach (var parameters in requests)
        {
            long fewest = long.MaxValue;
            for (int round = 0; round < 5 && fewest > 0; round++)
            {
                int done = 0;
                long before = GC.GetAllocatedBytesForCurrentThread();
                for (int i = 0; i < 20; i++)
                    if (backend.Decode(sample.Compressed, destination, parameters, out _) == DecodeStatus.Done) done++;
                fewest = Math.Min(fewest, GC.GetAllocatedBytesForCurrentThread() - before);
                Assert.Equal(20, done);
            }
            Assert.True(fewest == 0, $"{parameters}: at least {fewest} bytes allocated per 20 decodes");
        }
    }
}
