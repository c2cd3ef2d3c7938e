using System.Runtime.InteropServices;

namespace Erofs.Accel.Fuse.Protocol;

/// <summary>
/// One request as read from /dev/fuse: the header plus the opcode-specific payload (request extensions removed).
/// Every accessor checks sizes; nothing reads past the message.
/// </summary>
internal readonly ref struct FuseRequest
{
    private FuseRequest(FuseInHeader header, ReadOnlySpan<byte> payload)
    {
        Header = header;
        Payload = payload;
    }

    public FuseInHeader Header { get; }

    public ReadOnlySpan<byte> Payload { get; }

    public FuseOpcode Opcode => Header.Opcode;

    public ulong Unique => Header.Unique;

    public ulong NodeId => Header.NodeId;

    /// <summary>Splits a message into header and payload; fails when the lengths do not add up.</summary>
    public static FuseParseStatus TryParse(ReadOnlySpan<byte> message, out FuseRequest request)
    {
        request = default;
        if (message.Length < FuseInHeader.Size) return FuseParseStatus.TooShortForHeader;
        var header = MemoryMarshal.Read<FuseInHeader>(message);
        if (header.Length != (uint)message.Length) return FuseParseStatus.LengthMismatch;
        var extensionBytes = header.TotalExtensionLength * 8;
        var payloadLength = message.Length - FuseInHeader.Size - extensionBytes;
        if (payloadLength < 0) return FuseParseStatus.ExtensionsTooLong;
        request = new FuseRequest(header, message.Slice(FuseInHeader.Size, payloadLength));
        return FuseParseStatus.Ok;
    }

    /// <summary>Reads the fixed struct at the start of the payload.</summary>
    public bool TryReadStruct<T>(out T value) where T : unmanaged
    {
        if (Payload.Length < Marshal.SizeOf<T>())
        {
            value = default;
            return false;
        }
        value = MemoryMarshal.Read<T>(Payload);
        return true;
    }

    /// <summary>
    /// Reads a NUL-terminated name starting at <paramref name="offset"/> in the payload. The name must be non-empty
    /// and its terminator must lie inside the payload.
    /// </summary>
    public bool TryReadName(int offset, out ReadOnlySpan<byte> name)
    {
        name = default;
        if ((uint)offset >= (uint)Payload.Length) return false;
        var rest = Payload[offset..];
        var end = rest.IndexOf((byte)0);
        if (end <= 0) return false;
        name = rest[..end];
        return true;
    }
}

/// <summary>Why a message could not be split into a request.</summary>
internal enum FuseParseStatus
{
    Ok,
    TooShortForHeader,
    LengthMismatch,
    ExtensionsTooLong,
}
