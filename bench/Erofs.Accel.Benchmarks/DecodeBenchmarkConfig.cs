using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using Erofs.Accel.Benchmarks.Columns;

namespace Erofs.Accel.Benchmarks;

/// <summary>Adds decoded MB/s and allocation columns to <see cref="DecodeBenchmarks"/> (the job comes from the command line).</summary>
public sealed class DecodeBenchmarkConfig : ManualConfig
{
    public DecodeBenchmarkConfig()
    {
        AddColumn(new DecodedThroughputColumn());
        AddDiagnoser(MemoryDiagnoser.Default);
    }
}
