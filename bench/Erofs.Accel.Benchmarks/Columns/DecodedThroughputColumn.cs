using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Erofs.Accel.Benchmarks.Pclusters;

namespace Erofs.Accel.Benchmarks.Columns;

/// <summary>Decoded bytes per second (MB/s, 10^6 bytes) of a <see cref="DecodeBenchmarks"/> case: set size / mean time.</summary>
public sealed class DecodedThroughputColumn : IColumn
{
    private readonly IPclusterSetLoader _loader = PclusterSets.Create();

    public string Id => nameof(DecodedThroughputColumn);
    public string ColumnName => "Decoded MB/s";
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 0;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => "Decoded output per second, in MB (10^6 bytes)";

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public bool IsAvailable(Summary summary) => true;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var statistics = summary[benchmarkCase]?.ResultStatistics;
        if (statistics is null || benchmarkCase.Parameters["Case"] is not string decoderCase || benchmarkCase.Parameters["PclusterSize"] is not int size)
            return "NA";
        long bytes = _loader.DecodedBytes(DecodeBenchmarks.AlgorithmOf(decoderCase), size);
        double seconds = statistics.Mean / 1e9;
        return (bytes / seconds / 1e6).ToString("N0", CultureInfo.InvariantCulture);
    }

    public override string ToString() => ColumnName;
}
