namespace Erofs.Accel.Decompression.Tests.Engine.Support;

/// <summary>An accelerator that is absent on this machine (what QPL/QAT report without their library or device).</summary>
internal sealed class UnavailableBackend(string name, params CompressionAlgorithm[] algorithms) : IDecompressionBackend
{
    public string Name => name;
    public BackendKind Kind => BackendKind.Accelerator;
    public BackendAvailability Availability => BackendAvailability.Unavailable("no such device in this test");
    public IReadOnlyCollection<CompressionAlgorithm> Algorithms => algorithms;
    public long Calls;

    public bool Supports(in DecodeParameters parameters, int sourceLength) => false;

    public DecodeStatus Decode(ReadOnlySpan<byte> source, Span<byte> destination, in DecodeParameters parameters, out int bytesWritten)
    {
        Interlocked.Increment(ref Calls);
        bytesWritten = 0;
        return DecodeStatus.Unsupported;
    }
}
