using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Erofs.Accel.Service.Metrics;

/// <summary>
/// Per-backend latency percentiles for <c>stats</c>, taken from the engine's own duration histogram (the instrument
/// <see cref="InstrumentName"/> of the engine's meter) so the engine needs no second set of timers.
/// </summary>
public sealed class EngineLatencyListener : IDisposable
{
    /// <summary>Name of the engine's decode-duration histogram instrument this listener records.</summary>
    public const string InstrumentName = "erofs_accel.decompression.duration";

    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, LatencyHistogram> _byBackend = new(StringComparer.Ordinal);

    /// <summary>Starts listening to the duration instrument of <paramref name="engineMeter"/>.</summary>
    public EngineLatencyListener(Meter engineMeter)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, engineMeter) && instrument.Name == InstrumentName)
                listener.EnableMeasurementEvents(instrument, this);
        };
        _listener.SetMeasurementEventCallback<double>(static (_, seconds, tags, state) =>
        {
            var self = (EngineLatencyListener)state!;
            foreach (var tag in tags)
            {
                if (tag.Key != "backend" || tag.Value is not string backend) continue;
                self._byBackend.GetOrAdd(backend, static _ => new LatencyHistogram()).RecordMicroseconds((long)(seconds * 1e6));
                return;
            }
        });
        _listener.Start();
    }

    /// <summary>The latency summary of <paramref name="backend"/> so far (empty when it decoded nothing).</summary>
    public LatencySummary Snapshot(string backend) => _byBackend.TryGetValue(backend, out var h) ? h.Snapshot() : new LatencySummary();

    /// <summary>Stops listening.</summary>
    public void Dispose() => _listener.Dispose();
}
