using System.Diagnostics.Metrics;
using Erofs.Accel.Decompression.Engine;
using Erofs.Accel.Decompression.Tests.Engine.Support;

namespace Erofs.Accel.Decompression.Tests.Engine;

public sealed class EngineMetricsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ReportsRequestsBytesAndFallbacksPerBackend()
    {
        using var faulty = new FaultyBackend("faulty", seed: 1) { Forced = Fault.Fail };
        await using var engine = EngineFactory.Create(EngineFactory.Options("faulty", "faulty"), faulty);
        var measurements = new List<(string Instrument, long Value, Dictionary<string, object?> Tags)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter, engine.Meter)) l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var map = new Dictionary<string, object?>();
            foreach (var t in tags) map[t.Key] = t.Value;
            lock (measurements) measurements.Add((instrument.Name, value, map));
        });
        listener.Start();

        var payload = Payloads.Deflate(Payloads.Data(5000, 1), 12);
        for (int i = 0; i < 3; i++)
            Assert.Equal(DecodeStatus.Done, (await engine.DecompressAsync(new(payload.Compressed, new byte[5000], payload.Parameters()), Ct)).Status);
        listener.RecordObservableInstruments();

        lock (measurements)
        {
            Assert.Equal(3, measurements.Where(m => m.Instrument == "erofs_accel.decompression.requests").Sum(m => m.Value));
            var fallbacks = measurements.Where(m => m.Instrument == "erofs_accel.decompression.fallbacks").ToList();
            Assert.Equal(3, fallbacks.Sum(m => m.Value));
            Assert.All(fallbacks, m => Assert.Equal(("faulty", "BackendFailed"), ((string?)m.Tags["backend"], (string?)m.Tags["reason"])));
            Assert.Equal(15000, measurements.Where(m => m.Instrument == "erofs_accel.decompression.bytes_out").Sum(m => m.Value));
            Assert.Contains(measurements, m => m.Instrument == "erofs_accel.decompression.queue_depth" && (string?)m.Tags["backend"] == "faulty");
        }
        Assert.Equal(DecompressionEngine.MeterName, engine.Meter.Name);
    }

    [Fact]
    public async Task StatisticsFormatNamesEveryBackend()
    {
        using var faulty = new FaultyBackend("faulty", seed: 1);
        await using var engine = EngineFactory.Create(EngineFactory.Options("faulty", "faulty"), faulty);
        var payload = Payloads.Lz4(Payloads.Data(3000, 2));
        await engine.DecompressAsync(new(payload.Compressed, new byte[3000], payload.Parameters()), Ct);

        var lines = engine.GetStatistics().Format();

        Assert.Contains(lines, l => l.StartsWith("faulty: 1 requests, 1 served, 0 fell back", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("software:", StringComparison.Ordinal));
    }
}
