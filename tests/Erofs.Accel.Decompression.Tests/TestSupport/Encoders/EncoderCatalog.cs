namespace Erofs.Accel.Decompression.Tests.TestSupport.Encoders;

/// <summary>Every test stream encoder, by name and by algorithm.</summary>
public static class EncoderCatalog
{
    public static readonly IReadOnlyList<StreamEncoder> All =
        [.. Lz4Encoders.All(), .. DeflateEncoders.All(), .. MicroLzmaEncoders.All(), .. ZstdEncoders.All()];

    public static StreamEncoder ByName(string name) =>
        All.FirstOrDefault(e => e.Name == name) ?? throw new ArgumentException($"no encoder {name}", nameof(name));

    public static IEnumerable<StreamEncoder> For(CompressionAlgorithm algorithm) => All.Where(e => e.Algorithm == algorithm);
}
