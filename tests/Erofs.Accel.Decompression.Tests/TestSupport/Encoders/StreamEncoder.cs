using System.Runtime.InteropServices;

namespace Erofs.Accel.Decompression.Tests.TestSupport.Encoders;

/// <summary>A compressed stream and how many leading input bytes it encodes (fixed-output encoders take a prefix).</summary>
public readonly record struct EncodedStream(byte[] Compressed, int DecodedLength);

/// <summary>
/// One way of producing streams for an algorithm (library, level, window), with the decode parameters that match it.
/// <see cref="MissingReason"/> is null when the encoder can run here.
/// </summary>
public sealed class StreamEncoder
{
    private readonly Func<byte[], EncodedStream> _encode;
    private readonly Lazy<string?> _missingReason;

    public StreamEncoder(string name, CompressionAlgorithm algorithm, int maxInputLength, DecodeParameters parameters,
        Func<byte[], EncodedStream> encode, string? nativeLibrary = null)
    {
        Name = name;
        Algorithm = algorithm;
        MaxInputLength = maxInputLength;
        Parameters = parameters with { Algorithm = algorithm };
        _encode = encode;
        _missingReason = new(() => nativeLibrary is null || NativeLibrary.TryLoad(nativeLibrary, out _)
            ? null
            : $"{nativeLibrary} is not installed (needed to produce {name} test streams)");
    }

    public string Name { get; }

    public CompressionAlgorithm Algorithm { get; }

    /// <summary>Largest input this encoder is asked to compress (slow encoders get smaller inputs).</summary>
    public int MaxInputLength { get; }

    /// <summary>Decode parameters for streams of this encoder (DecodedLength/Skip/Partial are set per use).</summary>
    public DecodeParameters Parameters { get; }

    public string? MissingReason => _missingReason.Value;

    public EncodedStream Encode(byte[] input) => _encode(input);

    public override string ToString() => Name;
}
