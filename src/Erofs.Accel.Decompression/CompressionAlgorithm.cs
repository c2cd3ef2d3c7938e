namespace Erofs.Accel.Decompression;

/// <summary>EROFS compression algorithm ids, as stored on disk (h_algorithmtype, available_compr_algs bits).</summary>
public enum CompressionAlgorithm : byte
{
    Lz4 = 0,
    MicroLzma = 1,
    Deflate = 2,
    Zstd = 3,
}
