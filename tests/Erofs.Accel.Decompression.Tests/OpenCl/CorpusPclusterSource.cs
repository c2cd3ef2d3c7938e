using Erofs.Accel.Core;
using Erofs.Accel.Testing;

namespace Erofs.Accel.Decompression.Tests.OpenCl;

/// <summary>
/// Real pclusters cut out of the LZ4 and DEFLATE corpus images by the EROFS reader; the expected bytes are what the
/// software decoders produce. Empty where the corpus is absent.
/// </summary>
public sealed class CorpusPclusterSource : IPclusterSource
{
    private static readonly string[] Images = { "lz4", "lz4-legacy", "lz4hc-C64k", "deflate", "deflate-w4k", "multi-alg" };

    public string Name => "corpus";

    public IEnumerable<PclusterSample> Load()
    {
        if (TestCorpus.Directory is null) yield break;
        using var software = new SoftwareDecompressor();
        foreach (var name in Images)
        {
            var path = Path.Combine(TestCorpus.Directory, name + ".erofs");
            if (!File.Exists(path)) continue;
            using var image = ErofsImage.Open(path);
            foreach (var p in image.EnumeratePclusters())
            {
                if (p.Parameters.Algorithm is not (CompressionAlgorithm.Lz4 or CompressionAlgorithm.Deflate) || p.Parameters.Partial) continue;
                var expected = new byte[p.Parameters.DecodedLength];
                var r = software.Decompress(p.Source, expected, p.Parameters);
                if (!r.Succeeded) throw new InvalidOperationException($"{name}: software cannot decode a corpus pcluster at {p.Extent.PhysicalAddress}");
                yield return new PclusterSample($"{name}@{p.Extent.PhysicalAddress}", p.Parameters.Algorithm, p.Source, expected, p.Parameters.DeflateWindowBits);
            }
        }
    }
}
