namespace Erofs.Accel.Decompression.Tests.Engine.Support;

/// <summary>
/// Test accelerator for fault injection: decodes LZ4 and DEFLATE correctly through the software decoder, except for
/// the requests its plan picks, where it fails, hangs, answers short, returns garbage or throws. The plan is a
/// deterministic function of a seed and the call number.
/// </summary>
internal sealed class FaultyBackend : IDecompressionBackend, IDisposable
{
    private static readonly CompressionAlgorithm[] Supported = [CompressionAlgorithm.Lz4, CompressionAlgorithm.Deflate];

    private readonly SoftwareDecompressor _reference = new();
    private readonly (Fault Fault, double Rate)[] _plan;
    private readonly int _seed;
    private readonly ManualResetEventSlim _release = new(false);
    private long _calls;
    private int _hanging;
    private long _decodedCorrectly;

    public FaultyBackend(string name, int seed, params (Fault Fault, double Rate)[] plan)
    {
        Name = name;
        _seed = seed;
        _plan = plan;
    }

    public string Name { get; }
    public BackendKind Kind => BackendKind.Accelerator;
    public BackendAvailability Availability => BackendAvailability.Available("test double");
    public IReadOnlyCollection<CompressionAlgorithm> Algorithms => Supported;

    /// <summary>When set, overrides the plan for every call.</summary>
    public Fault? Forced { get; set; }

    /// <summary>Largest DEFLATE window taken (like IAA's 12).</summary>
    public int MaxWindowBits { get; init; } = 15;

    /// <summary>Whether partial decodes are taken.</summary>
    public bool TakesPartial { get; init; } = true;

    public bool IsDisposed { get; private set; }

    /// <summary>Largest time a hanging call blocks if never released.</summary>
    public TimeSpan MaxHang { get; init; } = TimeSpan.FromSeconds(60);

    public long Calls => Interlocked.Read(ref _calls);
    public int Hanging => Volatile.Read(ref _hanging);
    public long DecodedCorrectly => Interlocked.Read(ref _decodedCorrectly);

    /// <summary>Lets every hanging (and future hanging) call go on.</summary>
    public void ReleaseHangs() => _release.Set();

    public bool Supports(in DecodeParameters parameters, int sourceLength) =>
        Supported.Contains(parameters.Algorithm)
        && (parameters.Algorithm != CompressionAlgorithm.Deflate || parameters.DeflateWindowBits <= MaxWindowBits)
        && (TakesPartial || !parameters.Partial)
        && parameters.IsValidFor(sourceLength, parameters.OutputLength, out _);

    public DecodeStatus Decode(ReadOnlySpan<byte> source, Span<byte> destination, in DecodeParameters parameters, out int bytesWritten)
    {
        long call = Interlocked.Increment(ref _calls);
        var fault = Forced ?? Pick(call);
        bytesWritten = 0;
        var output = destination[..parameters.OutputLength];
        switch (fault)
        {
            case Fault.Fail:
                return DecodeStatus.BackendFailure;
            case Fault.Throw:
                throw new InvalidOperationException("injected failure");
            case Fault.GarbageFail:
                Scribble(output, call);
                return DecodeStatus.BackendFailure;
            case Fault.GarbageLength:
                Scribble(output, call);
                bytesWritten = output.Length / 2;
                return DecodeStatus.Done;
            case Fault.ClaimCorrupt:
                Scribble(output, call);
                return DecodeStatus.CorruptData;
            case Fault.Hang:
                Interlocked.Increment(ref _hanging);
                try { _release.Wait(MaxHang); }
                finally { Interlocked.Decrement(ref _hanging); }
                break;
        }
        var result = _reference.Decompress(source, destination, parameters);
        if (result.Status != DecodeStatus.Done) return result.Status;
        Interlocked.Increment(ref _decodedCorrectly);
        bytesWritten = fault == Fault.Short ? result.BytesWritten - 1 : result.BytesWritten;
        return DecodeStatus.Done;
    }

    private Fault Pick(long call)
    {
        double x = new Random(HashCode.Combine(_seed, call)).NextDouble();
        foreach (var (fault, rate) in _plan)
        {
            if (x < rate) return fault;
            x -= rate;
        }
        return Fault.None;
    }

    private static void Scribble(Span<byte> output, long call) => new Random((int)call).NextBytes(output);

    public void Dispose()
    {
        IsDisposed = true;
        _release.Set();
        _reference.Dispose();
    }
}
