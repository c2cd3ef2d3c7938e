namespace Erofs.Accel.Decompression.Tests.Engine.Support;

/// <summary>One compressed test pcluster with its original bytes.</summary>
internal sealed record Payload(string Label, CompressionAlgorithm Algorithm, byte[] Compressed, byte[] Original, int WindowBits = 15)
{
    /// <summary>Parameters for decoding <c>[skip, length)</c> of the stream (length default: all of it).</summary>
    public DecodeParameters Parameters(int skip = 0, int? length = null, bool partial = false) => new()
    {
        Algorithm = Algorithm,
        DecodedLength = length ?? Original.Length,
        DecodedSkip = skip,
        Partial = partial,
        DeflateWindowBits = WindowBits,
    };

    /// <summary>What the destination must hold for those parameters.</summary>
    public ReadOnlySpan<byte> Expected(in DecodeParameters parameters) =>
        Original.AsSpan(parameters.DecodedSkip, parameters.OutputLength);

    public override string ToString() => Label;
}
