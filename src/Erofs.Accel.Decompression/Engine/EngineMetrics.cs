using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Erofs.Accel.Decompression.Engine;

/// <summary>
/// The engine's instruments (meter <see cref="DecompressionEngine.MeterName"/>), readable with dotnet-counters and
/// OpenTelemetry. Tags: <c>backend</c>, <c>algorithm</c>, <c>status</c>, <c>reason</c>, <c>state</c>.
/// </summary>
internal sealed class EngineMetrics : IDisposable
{
    private static readonly string[] AlgorithmNames = Names<CompressionAlgorithm>();
    private static readonly string[] StatusNames = Names<DecodeStatus>();
    private static readonly string[] ReasonNames = Names<FallbackReason>();
    private static readonly string[] StateNames = Names<BreakerState>();

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Counter<long> _requests;
    private readonly Counter<long> _bytesIn;
    private readonly Counter<long> _bytesOut;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _fallbacks;
    private readonly Counter<long> _breakerTransitions;

    public EngineMetrics(IMeterFactory? factory, Func<IEnumerable<Measurement<long>>> queueDepths)
    {
        if (factory is not null)
        {
            _meter = factory.Create(new MeterOptions(DecompressionEngine.MeterName));
        }
        else
        {
            _meter = new Meter(DecompressionEngine.MeterName);
            _ownsMeter = true;
        }
        _requests = _meter.CreateCounter<long>("erofs_accel.decompression.requests", "{request}",
            "Requests completed, by the backend that produced the bytes and the final status");
        _bytesIn = _meter.CreateCounter<long>("erofs_accel.decompression.bytes_in", "By", "Compressed bytes decoded");
        _bytesOut = _meter.CreateCounter<long>("erofs_accel.decompression.bytes_out", "By", "Decoded bytes produced");
        _duration = _meter.CreateHistogram<double>("erofs_accel.decompression.duration", "s",
            "Time from request to answer, by the backend that produced the bytes");
        _fallbacks = _meter.CreateCounter<long>("erofs_accel.decompression.fallbacks", "{request}",
            "Requests decoded in software after an accelerator was considered or tried, by accelerator and reason");
        _breakerTransitions = _meter.CreateCounter<long>("erofs_accel.decompression.breaker_transitions", "{transition}",
            "Circuit breaker state changes, by backend and new state");
        _meter.CreateObservableUpDownCounter("erofs_accel.decompression.queue_depth", queueDepths, "{request}",
            "Requests waiting in each accelerator's queue");
    }

    public Meter Meter => _meter;

    public void Completed(string backend, CompressionAlgorithm algorithm, DecodeStatus status, int bytesIn, int bytesOut, long startTimestamp)
    {
        var tags = new TagList
        {
            { "backend", backend },
            { "algorithm", AlgorithmNames[(int)algorithm] },
            { "status", StatusNames[(int)status] },
        };
        _requests.Add(1, tags);
        if (status != DecodeStatus.Done) return;
        var backendTag = new KeyValuePair<string, object?>("backend", backend);
        _bytesIn.Add(bytesIn, backendTag);
        _bytesOut.Add(bytesOut, backendTag);
        if (_duration.Enabled)
            _duration.Record(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds, backendTag);
    }

    public void FellBack(string backend, FallbackReason reason) =>
        _fallbacks.Add(1, new KeyValuePair<string, object?>("backend", backend), new KeyValuePair<string, object?>("reason", ReasonNames[(int)reason]));

    public void BreakerChanged(string backend, BreakerState state) =>
        _breakerTransitions.Add(1, new KeyValuePair<string, object?>("backend", backend), new KeyValuePair<string, object?>("state", StateNames[(int)state]));

    private static string[] Names<T>() where T : struct, Enum
    {
        var values = Enum.GetValues<T>();
        var names = new string[values.Max(v => Convert.ToInt32(v)) + 1];
        foreach (var v in values) names[Convert.ToInt32(v)] = v.ToString();
        return names;
    }

    public void Dispose()
    {
        if (_ownsMeter) _meter.Dispose();
    }
}
