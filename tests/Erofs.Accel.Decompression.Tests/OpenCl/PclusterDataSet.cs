using System.Collections.Concurrent;

namespace Erofs.Accel.Decompression.Tests.OpenCl;

/// <summary>
/// The pclusters the differential tests run over, built once per process. Add sources here (corpus pclusters once
/// the EROFS reader can cut them out).
/// </summary>
public static class PclusterDataSet
{
    private static readonly ConcurrentDictionary<string, Lazy<IReadOnlyList<PclusterSample>>> Cache = new();

    public static IEnumerable<IPclusterSource> Sources(GeneratedCodec codec, int generatedCount)
    {
        yield return new GeneratedPclusterSource(codec, generatedCount);
        yield return DirectoryPclusterSource.FromEnvironment();
        yield return new CorpusPclusterSource();
    }

    /// <summary>Every sample of a codec: generated ones plus those of the plugged-in sources matching its algorithm/window.</summary>
    public static IReadOnlyList<PclusterSample> For(GeneratedCodec codec, int generatedCount) =>
        Cache.GetOrAdd($"{codec}/{generatedCount}", _ => new Lazy<IReadOnlyList<PclusterSample>>(() =>
        {
            var list = new List<PclusterSample>();
            foreach (var source in Sources(codec, generatedCount))
                foreach (var s in source.Load())
                    if (source is GeneratedPclusterSource || Matches(codec, s))
                        list.Add(s);
            return list;
        })).Value;

    /// <summary>The corpus pclusters (cut out of the corpus images) matching a codec's algorithm and window; empty without the corpus.</summary>
    public static IReadOnlyList<PclusterSample> Corpus(GeneratedCodec codec) =>
        Cache.GetOrAdd($"{codec}/corpus", _ => new Lazy<IReadOnlyList<PclusterSample>>(() =>
            new CorpusPclusterSource().Load().Where(s => Matches(codec, s)).ToList())).Value;

    private static bool Matches(GeneratedCodec codec, PclusterSample s) => codec switch
    {
        GeneratedCodec.Lz4Fast => s.Algorithm == CompressionAlgorithm.Lz4,
        GeneratedCodec.DeflateWindow4K => s.Algorithm == CompressionAlgorithm.Deflate && s.DeflateWindowBits <= 12,
        GeneratedCodec.DeflateWindow32K => s.Algorithm == CompressionAlgorithm.Deflate && s.DeflateWindowBits > 12,
        _ => false,
    };
}
