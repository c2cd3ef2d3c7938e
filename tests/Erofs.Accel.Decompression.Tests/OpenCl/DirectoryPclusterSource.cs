namespace Erofs.Accel.Decompression.Tests.OpenCl;

/// <summary>
/// Pclusters dumped to a folder (for example cut out of the corpus images): NAME.lz4 or NAME.deflate (compressed,
/// padding stripped) next to NAME.out (the decoded bytes); NAME.deflate12 marks a 4 KiB window. Folder from
/// EROFS_ACCEL_PCLUSTERS, or corpus/pclusters when it exists.
/// </summary>
public sealed class DirectoryPclusterSource : IPclusterSource
{
    private readonly string? directory;

    public DirectoryPclusterSource(string? directory) => this.directory = directory;

    public static DirectoryPclusterSource FromEnvironment()
    {
        var env = Environment.GetEnvironmentVariable("EROFS_ACCEL_PCLUSTERS");
        if (!string.IsNullOrEmpty(env)) return new DirectoryPclusterSource(env);
        var corpus = Erofs.Accel.Testing.TestCorpus.Directory;
        return new DirectoryPclusterSource(corpus is null ? null : Path.Combine(corpus, "pclusters"));
    }

    public string Name => "directory:" + (directory ?? "(none)");

    public IEnumerable<PclusterSample> Load()
    {
        if (directory is null || !Directory.Exists(directory)) yield break;
        foreach (var path in Directory.EnumerateFiles(directory).OrderBy(p => p, StringComparer.Ordinal))
        {
            var ext = Path.GetExtension(path);
            (CompressionAlgorithm Algorithm, int Window)? kind = ext switch
            {
                ".lz4" => (CompressionAlgorithm.Lz4, 15),
                ".deflate" => (CompressionAlgorithm.Deflate, 15),
                ".deflate12" => (CompressionAlgorithm.Deflate, 12),
                _ => null,
            };
            if (kind is null) continue;
            var expectedPath = Path.ChangeExtension(path, ".out");
            if (!File.Exists(expectedPath)) continue;
            yield return new PclusterSample(Path.GetFileName(path), kind.Value.Algorithm, File.ReadAllBytes(path),
                File.ReadAllBytes(expectedPath), kind.Value.Window);
        }
    }
}
