using Erofs.Accel.Decompression.Software;

namespace Erofs.Accel.Decompression;

/// <summary>
/// Decodes pclusters synchronously on the calling thread with the software backends. Per request it takes the first
/// available backend (in preference order) that supports it, e.g. libdeflate for full DEFLATE decodes and the BCL
/// inflater for partial ones. Invalid parameters throw <see cref="ArgumentException"/>; bad data never throws, it
/// yields <see cref="DecodeStatus.CorruptData"/>. Thread-safe; no allocation per call.
/// </summary>
public sealed class SoftwareDecompressor : IPclusterDecompressor, IDisposable
{
    private const string NoBackend = "none";

    private readonly IDecompressionBackend[][] _byAlgorithm;
    private readonly IReadOnlyList<IDecompressionBackend> _backends;
    private readonly SoftwareDecompressorOptions _options;
    private readonly bool _ownsBackends;

    /// <summary>Uses every software backend of <see cref="SoftwareBackends.CreateAll"/>.</summary>
    public SoftwareDecompressor(SoftwareDecompressorOptions? options = null)
        : this(SoftwareBackends.CreateAll(), options, ownsBackends: true) { }

    /// <summary>Uses the given backends, in the given preference order (unavailable ones are ignored).</summary>
    public SoftwareDecompressor(IEnumerable<IDecompressionBackend> backends, SoftwareDecompressorOptions? options = null)
        : this(backends, options, ownsBackends: false) { }

    private SoftwareDecompressor(IEnumerable<IDecompressionBackend> backends, SoftwareDecompressorOptions? options, bool ownsBackends)
    {
        _backends = backends.ToArray();
        _options = options ?? new SoftwareDecompressorOptions();
        _ownsBackends = ownsBackends;
        var algorithms = Enum.GetValues<CompressionAlgorithm>();
        _byAlgorithm = new IDecompressionBackend[algorithms.Max(a => (int)a) + 1][];
        foreach (var algorithm in algorithms)
        {
            _byAlgorithm[(int)algorithm] = _backends
                .Where(b => b.Availability.IsAvailable && b.Algorithms.Contains(algorithm))
                .ToArray();
        }
    }

    /// <summary>All backends given to this decompressor, available or not, in preference order.</summary>
    public IReadOnlyList<IDecompressionBackend> Backends => _backends;

    /// <summary>Available backends for <paramref name="algorithm"/>, in the order they are tried.</summary>
    public IReadOnlyList<IDecompressionBackend> BackendsFor(CompressionAlgorithm algorithm) =>
        (uint)algorithm < (uint)_byAlgorithm.Length ? _byAlgorithm[(int)algorithm] : [];

    /// <summary>True when some available backend can take this request.</summary>
    public bool CanDecode(in DecodeParameters parameters, int sourceLength) => Pick(parameters, sourceLength, skip: null) is not null;

    /// <summary>
    /// Decodes <paramref name="source"/> and writes decoded bytes [DecodedSkip, DecodedLength) to the start of
    /// <paramref name="destination"/>. Status Unsupported means no available backend takes the request.
    /// </summary>
    public DecompressionResult Decompress(ReadOnlySpan<byte> source, Span<byte> destination, in DecodeParameters parameters)
    {
        if (!parameters.IsValidFor(source.Length, destination.Length, out var problem))
            throw new ArgumentException($"invalid decode parameters: {problem}", nameof(parameters));

        var first = Pick(parameters, source.Length, skip: null);
        if (first is null) return new DecompressionResult(DecodeStatus.Unsupported, 0, NoBackend);

        var status = first.Decode(source, destination, parameters, out int written);
        if (status != DecodeStatus.CorruptData || !_options.ConfirmCorruptionWithSecondBackend)
            return new DecompressionResult(status, written, first.Name);

        var second = Pick(parameters, source.Length, skip: first);
        if (second is null) return new DecompressionResult(status, written, first.Name);
        var confirmation = second.Decode(source, destination, parameters, out written);
        // Done from the second decoder: the data was fine and the first decoder was wrong.
        return confirmation == DecodeStatus.Done
            ? new DecompressionResult(DecodeStatus.Done, written, second.Name)
            : new DecompressionResult(DecodeStatus.CorruptData, 0, first.Name);
    }

    private IDecompressionBackend? Pick(in DecodeParameters parameters, int sourceLength, IDecompressionBackend? skip)
    {
        if ((uint)parameters.Algorithm >= (uint)_byAlgorithm.Length) return null;
        foreach (var backend in _byAlgorithm[(int)parameters.Algorithm]) // the array itself: no enumerator allocated
        {
            if (!ReferenceEquals(backend, skip) && backend.Supports(parameters, sourceLength)) return backend;
        }
        return null;
    }

    /// <summary>Disposes the backends it created.</summary>
    public void Dispose()
    {
        if (!_ownsBackends) return;
        foreach (var backend in _backends)
            (backend as IDisposable)?.Dispose();
    }
}
