namespace Erofs.Accel.Decompression.Tests.OpenCl;

/// <summary>One compressed pcluster with the bytes software decodes it to.</summary>
public sealed record PclusterSample(string Name, CompressionAlgorithm Algorithm, byte[] Compressed, byte[] Expected, int DeflateWindowBits = 15)
{
    public DecodeParameters Parameters => new()
    {
        Algorithm = Algorithm,
        DecodedLength = Expected.Length,
        DeflateWindowBits = DeflateWindowBits,
    };

    public override string ToString() => $"{Name} ({Algorithm}, {Compressed.Length} -> {Expected.Length})";
}

/// <summary>
/// A supplier of test pclusters. The generated source is always there; more (for example pclusters cut out of the
/// corpus images once the EROFS reader exists) plug in by adding an implementation to <see cref="PclusterDataSet"/>.
/// </summary>
public interface IPclusterSource
{
    string Name { get; }

    IEnumerable<PclusterSample> Load();
}
