namespace Erofs.Accel.Decompression.Tests.TestSupport;

/// <summary>
/// Runs one decode into a destination of exactly OutputLength bytes (or a given size) that sits between guard zones,
/// everything pre-filled with 0xCD, and reports whether anything outside the destination changed.
/// </summary>
public sealed class GuardedDecode
{
    public const byte Fill = 0xCD;
    public const int GuardLength = 64;

    private readonly byte[] _buffer;
    private readonly int _destinationLength;

    private GuardedDecode(byte[] buffer, int destinationLength, DecodeStatus status, int written)
    {
        _buffer = buffer;
        _destinationLength = destinationLength;
        Status = status;
        BytesWritten = written;
    }

    public DecodeStatus Status { get; }

    public int BytesWritten { get; }

    /// <summary>The destination span as the decoder left it.</summary>
    public ReadOnlySpan<byte> Destination => _buffer.AsSpan(GuardLength, _destinationLength);

    /// <summary>True when no byte before or after the destination was touched.</summary>
    public bool GuardsIntact =>
        _buffer.AsSpan(0, GuardLength).IndexOfAnyExcept(Fill) < 0
        && _buffer.AsSpan(GuardLength + _destinationLength).IndexOfAnyExcept(Fill) < 0;

    public static GuardedDecode Run(IDecompressionBackend backend, ReadOnlySpan<byte> source, in DecodeParameters parameters, int? destinationLength = null)
    {
        int length = destinationLength ?? Math.Max(parameters.OutputLength, 0);
        var buffer = new byte[length + 2 * GuardLength];
        buffer.AsSpan().Fill(Fill);
        var status = backend.Decode(source, buffer.AsSpan(GuardLength, length), parameters, out int written);
        return new GuardedDecode(buffer, length, status, written);
    }

    /// <summary>Asserts the decode succeeded and wrote exactly <paramref name="expected"/>, touching nothing else.</summary>
    public void AssertDone(ReadOnlySpan<byte> expected, string context)
    {
        Assert.True(Status == DecodeStatus.Done, $"{context}: status {Status}");
        Assert.Equal(expected.Length, BytesWritten);
        Assert.True(GuardsIntact, $"{context}: bytes outside the destination were written");
        if (!Destination[..expected.Length].SequenceEqual(expected))
        {
            int at = Destination.CommonPrefixLength(expected);
            Assert.Fail($"{context}: decoded bytes differ at offset {at}");
        }
    }

    /// <summary>Asserts the backend refused the stream as corrupt, wrote nothing outside the destination and reported 0 bytes.</summary>
    public void AssertCorrupt(string context)
    {
        Assert.True(Status == DecodeStatus.CorruptData, $"{context}: expected CorruptData, got {Status}");
        Assert.Equal(0, BytesWritten);
        Assert.True(GuardsIntact, $"{context}: bytes outside the destination were written");
    }
}
