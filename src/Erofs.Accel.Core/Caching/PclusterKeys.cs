using System.IO.Hashing;
using System.Security.Cryptography;
using Erofs.Accel.Decompression;

namespace Erofs.Accel.Core.Caching;

/// <summary>
/// What a decoded pcluster is, whatever image holds it: a 128-bit hash of the exact compressed stream (zero padding
/// removed), the stream's length, and everything that decides the decoded bytes (algorithm, decoded length, skip,
/// partial). Equal keys in two images mean equal decoded bytes, so the pcluster is decoded once for both.
/// </summary>
/// <remarks>
/// The hash is XXH3-128 (System.IO.Hashing) with a seed drawn at random once per process. Accidental collisions: a
/// cache of n entries collides with probability about n²/2¹²⁹ (for a million entries, under 10⁻²⁶), and the key
/// also pins the length and decode parameters. Deliberate ones: an image author cannot aim a pcluster at another
/// image's entry without knowing the seed, which never leaves the process. A cryptographic hash (SHA-256) would
/// cost 2-3 µs per 4 KiB pcluster on every first read of a pcluster, as much as decoding LZ4; XXH3 costs ~0.2 µs,
/// and hits never hash at all (each image remembers the key of the pclusters it has looked up by location).
/// </remarks>
internal readonly struct PclusterContentKey : IEquatable<PclusterContentKey>
{
    private static readonly long Seed = BitConverter.ToInt64(RandomNumberGenerator.GetBytes(8));

    public readonly UInt128 Hash;
    public readonly int CompressedLength;
    public readonly int DecodedLength;
    public readonly int DecodedSkip;
    public readonly CompressionAlgorithm Algorithm;
    public readonly bool Partial;

    public PclusterContentKey(ReadOnlySpan<byte> stream, in DecodeParameters parameters)
    {
        Hash = XxHash128.HashToUInt128(stream, Seed);
        CompressedLength = stream.Length;
        DecodedLength = parameters.DecodedLength;
        DecodedSkip = parameters.DecodedSkip;
        Algorithm = parameters.Algorithm;
        Partial = parameters.Partial;
    }

    public bool Equals(PclusterContentKey other) =>
        Hash == other.Hash && CompressedLength == other.CompressedLength && DecodedLength == other.DecodedLength
        && DecodedSkip == other.DecodedSkip && Algorithm == other.Algorithm && Partial == other.Partial;

    public override bool Equals(object? obj) => obj is PclusterContentKey other && Equals(other);

    public override int GetHashCode() => (int)(ulong)Hash ^ DecodedLength;
}

/// <summary>
/// Where a pcluster of one image lies and how much of it an extent decodes: what an image looks up first, so a hit
/// needs neither the compressed bytes nor a hash.
/// </summary>
internal readonly record struct PclusterLocation(int Source, long Address, int CompressedLength, int DecodedLength, bool Partial)
{
    /// <summary>Source of a pcluster inline in the primary device's metadata (<see cref="Source"/> of device pclusters is the device id).</summary>
    public const int InlineInImage = -1, InlineInMetabox = -2;

    public override int GetHashCode() => HashCode.Combine(Address, Source, DecodedLength);
}
