namespace Erofs.Accel.Core.Export;

/// <summary>Extracting an image, or parts of it, into a directory (like ZipFile.ExtractToDirectory or tar -x).</summary>
public static class ErofsExtraction
{
    /// <summary>
    /// Writes the image's tree (or the subtrees named by <see cref="ExtractOptions.Paths"/>) under
    /// <paramref name="destination"/>, which is created when missing and must be empty unless
    /// <see cref="ExtractOptions.Overwrite"/> is set. The destination directory's own owner, mode, times and xattrs
    /// are never changed, and the root directory is refused as a destination.
    /// </summary>
    /// <param name="progress">Receives counts a few times a second and once at the end (on the extracting thread).</param>
    /// <param name="cancellationToken">Stops the extraction between nodes or within a file (OperationCanceledException).</param>
    /// <exception cref="ExtractionRefusedException">The destination is not empty, is "/", or a node is in the way.</exception>
    /// <exception cref="ScanLimitExceededException">A file or the whole extraction went over <see cref="ExtractOptions.Limits"/>.</exception>
    /// <exception cref="ErofsException">The image is corrupt, a chosen path does not exist, or the image cannot be read.</exception>
    /// <exception cref="IOException">The destination cannot be written.</exception>
    public static ExtractSummary ExtractToDirectory(this ErofsImage image, string destination, ExtractOptions? options = null,
        IProgress<ExtractProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(destination);
        using var extractor = new TreeExtractor(image, options, progress, cancellationToken);
        return extractor.Extract(destination);
    }
}
