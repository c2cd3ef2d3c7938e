using Erofs.Accel.Decompression;

namespace Erofs.Accel.Core;

/// <summary>The decompressor an image uses when the caller gives none.</summary>
internal static class DefaultDecompressors
{
    public static IPclusterDecompressor Create() => new Unavailable();

    private sealed class Unavailable : IPclusterDecompressor
    {
        public ValueTask<DecompressionResult> DecompressAsync(DecompressionRequest request, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(new DecompressionResult(DecodeStatus.Unsupported, 0, "none"));
    }
}
