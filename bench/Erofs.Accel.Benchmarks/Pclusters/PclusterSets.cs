namespace Erofs.Accel.Benchmarks.Pclusters;

/// <summary>
/// The loader benchmarks use. BenchmarkDotNet runs each case in a child process, so the choice travels in the
/// environment: EROFS_BENCH_PCLUSTERS=generated (default). Register further loaders in <see cref="Create"/>.
/// </summary>
public static class PclusterSets
{
    public const string EnvironmentVariable = "EROFS_BENCH_PCLUSTERS";

    public static IPclusterSetLoader Create()
    {
        var choice = Environment.GetEnvironmentVariable(EnvironmentVariable);
        return choice switch
        {
            null or "" or "generated" => new GeneratedPclusterLoader(),
            _ => throw new ArgumentException($"unknown pcluster loader '{choice}' in {EnvironmentVariable}"),
        };
    }
}
