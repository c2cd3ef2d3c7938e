namespace Erofs.Accel.Benchmarks.Pclusters;

/// <summary>One compressed pcluster and the number of bytes it decodes to.</summary>
public readonly record struct Pcluster(byte[] Compressed, int DecodedLength);

/// <summary>A batch of pclusters of one algorithm, decoded as a whole by one benchmark operation.</summary>
public sealed class PclusterSet
{
    public PclusterSet(string description, DecodeParameters parameters, IReadOnlyList<Pcluster> items)
    {
        if (items.Count == 0) throw new ArgumentException("a pcluster set needs at least one pcluster", nameof(items));
        Description = description;
        Parameters = parameters;
        Items = items;
        TotalDecodedBytes = items.Sum(p => (long)p.DecodedLength);
        TotalCompressedBytes = items.Sum(p => (long)p.Compressed.Length);
        MaxDecodedLength = items.Max(p => p.DecodedLength);
    }

    /// <summary>Where the pclusters came from (loader, data, encoder).</summary>
    public string Description { get; }

    /// <summary>Decode parameters shared by the set (algorithm, window); DecodedLength is set per pcluster.</summary>
    public DecodeParameters Parameters { get; }

    public CompressionAlgorithm Algorithm => Parameters.Algorithm;

    public IReadOnlyList<Pcluster> Items { get; }

    public long TotalDecodedBytes { get; }

    public long TotalCompressedBytes { get; }

    public int MaxDecodedLength { get; }

    public override string ToString() =>
        $"{Description}: {Items.Count} pclusters, {TotalDecodedBytes} B decoded from {TotalCompressedBytes} B";
}
