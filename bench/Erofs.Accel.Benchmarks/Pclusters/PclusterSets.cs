namespace Erofs.Accel.Benchmarks.Pclusters;

/// <summary>
/// The loader benchmarks use. BenchmarkDotNet runs each case in a child process, so the choice travels in the
/// environment: EROFS_BENCH_PCLUSTERS=generated (default), =corpus (every image of $EROFS_ACCEL_CORPUS or
/// ../shared/corpus), or =PATH (an image file or a folder of images).
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
            "corpus" => new ImagePclusterLoader(CorpusFolder()),
            _ when File.Exists(choice) || Directory.Exists(choice) => new ImagePclusterLoader(choice),
            _ => throw new ArgumentException($"unknown pcluster loader '{choice}' in {EnvironmentVariable}"),
        };
    }

    private static string CorpusFolder()
    {
        var env = Environment.GetEnvironmentVariable("EROFS_ACCEL_CORPUS");
        if (!string.IsNullOrEmpty(env)) return env;
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Erofs.Accel.sln")))
                return Path.GetFullPath(Path.Combine(d.FullName, "..", "shared", "corpus"));
        throw new InvalidOperationException("cannot find the corpus: set EROFS_ACCEL_CORPUS");
    }
}
