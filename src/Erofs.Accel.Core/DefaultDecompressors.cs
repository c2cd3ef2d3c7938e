using Erofs.Accel.Decompression;

namespace Erofs.Accel.Core;

/// <summary>The decompressor an image uses when the caller gives none: the software backends, shared process-wide.</summary>
internal static class DefaultDecompressors
{
    private static readonly Lazy<SoftwareDecompressor> Shared = new(() => new SoftwareDecompressor());

    public static IPclusterDecompressor Create() => Shared.Value;
}
