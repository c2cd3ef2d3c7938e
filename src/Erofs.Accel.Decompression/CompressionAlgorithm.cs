namespace Erofs.Accel.Decompression;

/// <summary>
/// EROFS compression algorithm ids, exactly as stored on disk (h_algorithmtype nibbles, the bits of
/// available_compr_algs, the order of the config records after the superblock). The project's one definition:
/// Format parses them, the decoders take them. It lives here because the decompressor contract carries it and this
/// assembly must not depend on the EROFS parsers; Format references this assembly for it.
/// </summary>
public enum CompressionAlgorithm : byte
{
    /// <summary>LZ4 (raw blocks, no frame).</summary>
    Lz4 = 0,
    /// <summary>MicroLZMA (LZMA1 with a one-byte header, as mkfs.erofs -zlzma writes it).</summary>
    MicroLzma = 1,
    /// <summary>Raw DEFLATE (RFC 1951, no zlib or gzip header).</summary>
    Deflate = 2,
    /// <summary>Zstandard frames.</summary>
    Zstd = 3,
}

/// <summary>Facts about <see cref="CompressionAlgorithm"/> ids.</summary>
public static class CompressionAlgorithms
{
    /// <summary>Number of algorithm ids the format defines (ids 0..Count-1).</summary>
    public const int Count = 4;

    /// <summary>True for an id the format defines.</summary>
    public static bool IsDefined(int id) => (uint)id < Count;

    /// <summary>Short name as erofs-utils prints it ("lz4", "lzma", "deflate", "zstd"), or "algorithm#N".</summary>
    public static string Name(CompressionAlgorithm algorithm) => algorithm switch
    {
        CompressionAlgorithm.Lz4 => "lz4",
        CompressionAlgorithm.MicroLzma => "lzma",
        CompressionAlgorithm.Deflate => "deflate",
        CompressionAlgorithm.Zstd => "zstd",
        _ => $"algorithm#{(int)algorithm}",
    };
}
