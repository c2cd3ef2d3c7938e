namespace Erofs.Accel.Decompression;

/// <summary>
/// Everything a backend needs to know to decode one pcluster, apart from the bytes themselves.
/// The decoded stream is <c>DecodedLength</c> bytes long (or, with <see cref="Partial"/>, at least that long);
/// the destination receives decoded bytes <c>[DecodedSkip, DecodedLength)</c>.
/// </summary>
public readonly record struct DecodeParameters
{
    /// <summary>LZ4 match distance when the image records none (64 KiB, LZ4's own limit).</summary>
    public const int DefaultLz4MaxDistance = 65536;
    /// <summary>LZMA dictionary size in bytes when the image records none (8 MiB).</summary>
    public const int DefaultLzmaDictionarySize = 8 << 20;
    /// <summary>DEFLATE window, log2 bytes, when the image records none (15: 32 KiB).</summary>
    public const int DefaultDeflateWindowBits = 15;
    /// <summary>Zstandard window, log2 bytes, when the image records none (20: 1 MiB).</summary>
    public const int DefaultZstdWindowLog = 20;

    /// <summary>Algorithm of the stream.</summary>
    public CompressionAlgorithm Algorithm { get; init; }

    /// <summary>Number of decoded bytes wanted, counted from the start of the stream (includes <see cref="DecodedSkip"/>).</summary>
    public int DecodedLength { get; init; }

    /// <summary>Leading decoded bytes that are decoded but not written to the destination.</summary>
    public int DecodedSkip { get; init; }

    /// <summary>
    /// True when the stream may hold more than <see cref="DecodedLength"/> bytes (a prefix is wanted: dedupe partial
    /// references, or the caller needs only the start). The decoder stops once DecodedLength bytes exist and does not
    /// require the stream to end there. False: the stream must decode to exactly DecodedLength bytes.
    /// </summary>
    public bool Partial { get; init; }

    /// <summary>LZ4 maximum match distance the writer promised (bytes).</summary>
    public int Lz4MaxDistance { get; init; } = DefaultLz4MaxDistance;

    /// <summary>MicroLZMA dictionary size (bytes).</summary>
    public int LzmaDictionarySize { get; init; } = DefaultLzmaDictionarySize;

    /// <summary>DEFLATE history window as log2 bytes (8..15). IAA takes at most 12 (4 KiB).</summary>
    public int DeflateWindowBits { get; init; } = DefaultDeflateWindowBits;

    /// <summary>Zstandard window log (log2 bytes, 10..20 for EROFS).</summary>
    public int ZstdWindowLog { get; init; } = DefaultZstdWindowLog;

    /// <summary>Parameters with the defaults above; set the algorithm and lengths with an object initializer.</summary>
    public DecodeParameters() { }

    /// <summary>Bytes written to the destination on success: DecodedLength - DecodedSkip.</summary>
    public int OutputLength => DecodedLength - DecodedSkip;

    /// <summary>Checks the numbers are consistent with each other and with the given buffer sizes.</summary>
    public bool IsValidFor(int sourceLength, int destinationLength, out string? problem)
    {
        problem = null;
        if (!Enum.IsDefined(Algorithm)) problem = $"unknown algorithm {(int)Algorithm}";
        else if (DecodedLength <= 0) problem = $"decoded length {DecodedLength} must be positive";
        else if (DecodedSkip < 0 || DecodedSkip >= DecodedLength) problem = $"decoded skip {DecodedSkip} outside [0, {DecodedLength})";
        else if (sourceLength <= 0) problem = "empty source";
        else if (destinationLength < OutputLength) problem = $"destination holds {destinationLength} bytes, {OutputLength} needed";
        else if (DeflateWindowBits is < 8 or > 15) problem = $"deflate window bits {DeflateWindowBits} outside 8..15";
        return problem is null;
    }
}
