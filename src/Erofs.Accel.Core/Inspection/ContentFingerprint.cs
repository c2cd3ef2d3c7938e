using System.Security.Cryptography;

namespace Erofs.Accel.Core.Inspection;

/// <summary>
/// The content fingerprint <c>mkfs.erofs --xattr-inode-digest</c> records for a regular file ("sha256:" followed by
/// the 32 raw bytes of the SHA-256 of the contents), parsed and checked against the file's bytes.
/// </summary>
public readonly record struct ContentFingerprint(string Algorithm, byte[] Digest)
{
    private const string Sha256Prefix = "sha256:";

    /// <summary>The digest as lowercase hex (the sha256 column of a manifest).</summary>
    public string DigestHex => Convert.ToHexStringLower(Digest);

    /// <summary>Parses a recorded value; false when it is not "sha256:" and 32 bytes.</summary>
    public static bool TryParse(ReadOnlySpan<byte> value, out ContentFingerprint fingerprint)
    {
        fingerprint = default;
        if (value.Length != Sha256Prefix.Length + SHA256.HashSizeInBytes || !value.StartsWith("sha256:"u8)) return false;
        fingerprint = new ContentFingerprint("sha256", value[Sha256Prefix.Length..].ToArray());
        return true;
    }

    /// <summary>The fingerprint the image records for <paramref name="inode"/>, or null when none (or not parseable).</summary>
    public static ContentFingerprint? Of(ErofsImage image, ErofsInode inode) =>
        image.GetContentFingerprint(inode) is { } value && TryParse(value, out var f) ? f : null;

    /// <summary>
    /// Reads the whole file and computes its SHA-256 (the digest a fingerprint must equal). Reads through the image's
    /// normal read path, so every extent is mapped and decoded on the way.
    /// </summary>
    public static byte[] ComputeSha256(ErofsImage image, ErofsInode inode, CancellationToken cancellationToken = default)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(1 << 20);
        try
        {
            long size = (long)inode.Size;
            for (long at = 0; at < size;)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int n = image.Read(inode, at, buffer.AsSpan(0, (int)Math.Min(buffer.Length, size - at)));
                if (n <= 0) throw new ErofsCorruptImageException($"file ended at {at} of {size} bytes", null, inode.Nid);
                hash.AppendData(buffer, 0, n);
                at += n;
            }
            return hash.GetHashAndReset();
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Whether the file's bytes hash to this fingerprint.</summary>
    public bool Matches(ErofsImage image, ErofsInode inode, CancellationToken cancellationToken = default) =>
        ComputeSha256(image, inode, cancellationToken).AsSpan().SequenceEqual(Digest);
}
