using Erofs.Accel.Decompression.Tests.TestSupport;
using Erofs.Accel.Decompression.Tests.TestSupport.Encoders;

namespace Erofs.Accel.Benchmarks.Pclusters;

/// <summary>
/// Realistic generated data (half log/source-like text, half mixed text/binary/zero/pattern runs) cut into
/// fixed-size pclusters, each compressed on its own the way mkfs.erofs configures the algorithm: LZ4 HC level 9,
/// libdeflate level 6 (32 KiB window), MicroLZMA preset 6 with a 64 KiB dictionary, zstd level 3 with a 32 KiB window.
/// </summary>
public sealed class GeneratedPclusterLoader(int totalBytes = GeneratedPclusterLoader.DefaultTotalBytes) : IPclusterSetLoader
{
    public const int DefaultTotalBytes = 4 << 20;

    public string Name => "generated";

    public long DecodedBytes(CompressionAlgorithm algorithm, int pclusterSize) => totalBytes;

    public PclusterSet Load(CompressionAlgorithm algorithm, int pclusterSize)
    {
        var data = new byte[totalBytes];
        TestData.Generate(DataKind.Text, totalBytes / 2, seed: 11).CopyTo(data, 0);
        TestData.Generate(DataKind.Mixed, totalBytes - totalBytes / 2, seed: 12).CopyTo(data, totalBytes / 2);

        var (encoderName, parameters, encode) = EncoderFor(algorithm);
        var items = new List<Pcluster>();
        for (int offset = 0; offset < data.Length; offset += pclusterSize)
        {
            var chunk = data.AsSpan(offset, Math.Min(pclusterSize, data.Length - offset)).ToArray();
            var encoded = encode(chunk);
            if (encoded.DecodedLength != chunk.Length) throw new InvalidOperationException($"{encoderName} did not take the whole pcluster");
            items.Add(new Pcluster(encoded.Compressed, chunk.Length));
        }
        return new PclusterSet($"{Name} {totalBytes >> 20} MiB text+mixed, {encoderName}", parameters with { Algorithm = algorithm }, items);
    }

    private static (string Name, DecodeParameters Parameters, Func<byte[], EncodedStream> Encode) EncoderFor(CompressionAlgorithm algorithm)
    {
        var p = new DecodeParameters();
        return algorithm switch
        {
            CompressionAlgorithm.Lz4 => ("liblz4 HC 9", p, input => Lz4Encoders.Native(input, 9)),
            CompressionAlgorithm.Deflate => ("libdeflate 6", p, input => DeflateEncoders.Libdeflate(input, 6)),
            CompressionAlgorithm.MicroLzma => ("MicroLZMA p6 d64k", p with { LzmaDictionarySize = 64 << 10 },
                input => MicroLzmaEncoders.Encode(input, 6, 64 << 10, int.MaxValue)),
            CompressionAlgorithm.Zstd => ("zstd 3 w15", p with { ZstdWindowLog = 15 }, input => ZstdEncoders.Encode(input, 3, 15, true, false)),
            _ => throw new ArgumentOutOfRangeException(nameof(algorithm)),
        };
    }
}
