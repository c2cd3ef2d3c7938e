namespace Erofs.Accel.Benchmarks.Pclusters;

/// <summary>
/// Supplies the pclusters a benchmark decodes. The generated loader is the default; a loader that pulls real
/// pclusters out of corpus images can be plugged in through <see cref="PclusterSets"/>.
/// </summary>
public interface IPclusterSetLoader
{
    /// <summary>Short name used in reports.</summary>
    string Name { get; }

    /// <summary>Pclusters of <paramref name="algorithm"/> decoding to about <paramref name="pclusterSize"/> bytes each.</summary>
    PclusterSet Load(CompressionAlgorithm algorithm, int pclusterSize);

    /// <summary>
    /// Total decoded bytes of the set <see cref="Load"/> returns, without building it (the throughput column asks for
    /// this in the BenchmarkDotNet host process).
    /// </summary>
    long DecodedBytes(CompressionAlgorithm algorithm, int pclusterSize);
}
