namespace Erofs.Accel.Decompression;

/// <summary>Settings of a <see cref="SoftwareDecompressor"/>.</summary>
public sealed record SoftwareDecompressorOptions
{
    /// <summary>
    /// When the preferred backend reports corrupt data, try the next backend of the same algorithm before believing it
    /// (guards against a decoder bug turning a good pcluster into an I/O error). Costs nothing on good data.
    /// </summary>
    public bool ConfirmCorruptionWithSecondBackend { get; init; } = true;
}
