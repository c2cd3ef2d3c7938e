using System.Diagnostics.Metrics;
using System.Text.RegularExpressions;
using Erofs.Accel.Service.Metrics;

namespace Erofs.Accel.Service.Tests;

public partial class MetricsTests
{
    [Fact]
    public void HistogramBucketsCoverEveryValueOnceWithinAnEighth()
    {
        long previousUpper = -1;
        for (int i = 0; i < 200; i++)
        {
            long upper = LatencyHistogram.UpperBound(i);
            Assert.Equal(i, LatencyHistogram.BucketOf(previousUpper + 1));
            Assert.Equal(i, LatencyHistogram.BucketOf(upper));
            Assert.True(upper - previousUpper <= Math.Max(1, (previousUpper + 1) / 8), $"bucket {i} too wide");
            previousUpper = upper;
        }
    }

    [Fact]
    public void PercentilesOfAKnownDistribution()
    {
        var h = new LatencyHistogram();
        for (int us = 1; us <= 10_000; us++) h.RecordMicroseconds(us);
        var s = h.Snapshot();
        Assert.Equal(10_000, s.Count);
        Assert.InRange(s.P50Milliseconds, 5.0, 5.0 * 1.125);
        Assert.InRange(s.P99Milliseconds, 9.9, 10.0);
        Assert.Equal(10.0, s.MaxMilliseconds);
        Assert.InRange(s.MeanMilliseconds, 5.0, 5.001);
        Assert.Equal(0, new LatencyHistogram().Snapshot().Count);
    }

    [Fact]
    public void PrometheusTextIsWellFormedAndEscapesLabels()
    {
        var stats = new ServiceStatistics
        {
            Images = new()
            {
                new ImageStatistics { Name = "we\"ird\\na\nme", Kind = "namespace", Requests = 3, BytesServed = 4096, ReadLatency = new LatencySummary { Count = 2, P50Milliseconds = 1.5, MeanMilliseconds = 2 } },
            },
            Backends = new() { new ServiceBackendStatistics { Name = "qpl", Role = "Accelerator", FallbacksByReason = new() { ["TimedOut"] = 7 } } },
        };
        var text = PrometheusWriter.Write(stats);
        Assert.Contains("erofs_accel_image_requests_total{image=\"we\\\"ird\\\\na\\nme\",kind=\"namespace\"} 3", text);
        Assert.Contains("erofs_accel_backend_fallbacks_total{backend=\"qpl\",reason=\"TimedOut\"} 7", text);
        Assert.Contains("erofs_accel_image_read_latency_seconds{image=\"we\\\"ird\\\\na\\nme\",quantile=\"0.5\"} 0.0015", text);
        var families = new HashSet<string>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.StartsWith("# TYPE ", StringComparison.Ordinal)) Assert.True(families.Add(line.Split(' ')[2]), $"family declared twice: {line}");
            else if (!line.StartsWith("# HELP ", StringComparison.Ordinal)) Assert.Matches(SampleLine(), line);
        }
    }

    [Fact]
    public void TheServiceMeterPublishesTheSameTotalsAsStats()
    {
        var stats = new ServiceStatistics { Images = new() { new ImageStatistics { Name = "a", BytesServed = 123 } } };
        using var metrics = new ServiceMetrics(() => stats);
        using var listener = new MeterListener();
        long seen = -1;
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter, metrics.Meter) && instrument.Name == "erofs_accel.service.bytes_served") l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var t in tags)
                if (t.Key == "image" && (string?)t.Value == "a") seen = value;
        });
        listener.Start();
        listener.RecordObservableInstruments();
        Assert.Equal(123, seen);
        Assert.Equal(ServiceMetrics.MeterName, metrics.Meter.Name);
    }

    [GeneratedRegex("""^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\.)*",?)*\})? -?[0-9.e+NaInf]+$""")]
    private static partial Regex SampleLine();
}
