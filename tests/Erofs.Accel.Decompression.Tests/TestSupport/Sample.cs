using System.Collections.Concurrent;
using Erofs.Accel.Decompression.Tests.TestSupport.Encoders;

namespace Erofs.Accel.Decompression.Tests.TestSupport;

/// <summary>One compressed stream with the bytes it must decode to and the matching full-decode parameters.</summary>
public sealed record Sample(string Encoder, DataKind Kind, int InputLength, byte[] Decoded, byte[] Compressed, DecodeParameters Parameters)
{
    public override string ToString() => $"{Encoder}/{Kind}/{InputLength}B->{Decoded.Length}B ({Compressed.Length}B compressed)";
}

/// <summary>Generated samples per encoder (every data kind at sizes 1 B .. 1 MiB), built once and shared by tests.</summary>
public static class SampleCatalog
{
    public static readonly int[] Sizes = [1, 2, 15, 100, 1000, 4095, 4096, 4097, 16384, 65535, 65536, 65537, 262144, 1 << 20];

    private static readonly ConcurrentDictionary<string, Lazy<IReadOnlyList<Sample>>> Cache = new();

    /// <summary>All samples of an encoder; skips the calling test when the encoder's native library is missing.</summary>
    public static IReadOnlyList<Sample> For(string encoderName)
    {
        var encoder = EncoderCatalog.ByName(encoderName);
        if (encoder.MissingReason is { } reason) Assert.Skip(reason);
        return Cache.GetOrAdd(encoderName, _ => new Lazy<IReadOnlyList<Sample>>(() => Build(encoder))).Value;
    }

    /// <summary>A few representative samples (each kind at 4 KiB and 64 KiB + 1), for the expensive corruption tests.</summary>
    public static IEnumerable<Sample> Representative(string encoderName) =>
        For(encoderName).Where(s => s.InputLength is 4096 or 65537 || (s.InputLength == 100 && s.Kind == DataKind.Text));

    private static IReadOnlyList<Sample> Build(StreamEncoder encoder)
    {
        var samples = new List<Sample>();
        foreach (var kind in TestData.AllKinds)
        {
            foreach (int size in Sizes)
            {
                if (size > encoder.MaxInputLength) continue;
                var input = TestData.Generate(kind, size);
                var encoded = encoder.Encode(input);
                var decoded = input[..encoded.DecodedLength];
                var parameters = encoder.Parameters with { DecodedLength = decoded.Length, DecodedSkip = 0, Partial = false };
                samples.Add(new Sample(encoder.Name, kind, size, decoded, encoded.Compressed, parameters));
            }
        }
        return samples;
    }
}
