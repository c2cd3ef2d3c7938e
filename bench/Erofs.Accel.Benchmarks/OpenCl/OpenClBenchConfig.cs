using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Erofs.Accel.Benchmarks.OpenCl;

/// <summary>
/// Short in-process job (the machine is small, and an in-process run does not rebuild the project in a shared work
/// tree; the OpenCL device is process state anyway) plus a decoded-GB/s column.
/// </summary>
public sealed class OpenClBenchConfig : ManualConfig
{
    public OpenClBenchConfig()
    {
        AddJob(Job.ShortRun.WithWarmupCount(2).WithIterationCount(5).WithToolchain(InProcessEmitToolchain.Instance));
        AddColumn(new OpenClThroughputColumn());
    }
}

/// <summary>Decoded bytes per second: BatchSize × ItemBytes over the mean time of one operation.</summary>
public sealed class OpenClThroughputColumn : IColumn
{
    public string Id => nameof(OpenClThroughputColumn);
    public string ColumnName => "Decoded GB/s";
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 0;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => "Decoded gigabytes (1e9 B) per second";

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    public bool IsAvailable(Summary summary) => true;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var report = summary[benchmarkCase];
        var mean = report?.ResultStatistics?.Mean;
        var batch = benchmarkCase.Parameters.Items.FirstOrDefault(p => p.Name == "BatchSize")?.Value as int?;
        if (mean is null || mean <= 0 || batch is null) return "-";
        double bytes = (double)batch.Value * OpenClBatchBenchmarks.ItemBytes;
        return (bytes / mean.Value).ToString("0.00");   // bytes per ns = GB/s
    }
}
