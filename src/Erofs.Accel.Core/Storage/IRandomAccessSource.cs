namespace Erofs.Accel.Core.Storage;

/// <summary>
/// Read-only random access to the bytes of an image or extra device. Implementations must allow concurrent reads.
/// </summary>
public interface IRandomAccessSource : IDisposable
{
    /// <summary>Length in bytes.</summary>
    long Length { get; }

    /// <summary>A short description for messages (a path, "memory").</summary>
    string Description { get; }

    /// <summary>Reads up to <c>buffer.Length</c> bytes at <paramref name="offset"/>; returns fewer only at the end.</summary>
    int Read(long offset, Span<byte> buffer);
}
