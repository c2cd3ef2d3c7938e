using System.Runtime.InteropServices;
using System.Text;
using Erofs.Accel.Fuse.Protocol;

namespace Erofs.Accel.Fuse.Tests.TestSupport;

/// <summary>Builds request messages the way the kernel lays them out, and takes replies apart.</summary>
internal static class FuseMessages
{
    public static byte[] Request(FuseOpcode opcode, ulong unique, ulong nodeId, ReadOnlySpan<byte> payload)
    {
        var message = new byte[FuseInHeader.Size + payload.Length];
        var header = new FuseInHeader
        {
            Length = (uint)message.Length,
            Opcode = opcode,
            Unique = unique,
            NodeId = nodeId,
            UserId = 0,
            GroupId = 0,
            ProcessId = 4242,
        };
        MemoryMarshal.Write(message, in header);
        payload.CopyTo(message.AsSpan(FuseInHeader.Size));
        return message;
    }

    public static byte[] Request<T>(FuseOpcode opcode, ulong unique, ulong nodeId, T body, ReadOnlySpan<byte> trailing = default)
        where T : unmanaged
    {
        var payload = new byte[Marshal.SizeOf<T>() + trailing.Length];
        MemoryMarshal.Write(payload, in body);
        trailing.CopyTo(payload.AsSpan(Marshal.SizeOf<T>()));
        return Request(opcode, unique, nodeId, payload);
    }

    /// <summary>A name as the kernel sends it: bytes plus a NUL.</summary>
    public static byte[] Name(string name) => [.. Encoding.UTF8.GetBytes(name), 0];

    public static T Read<T>(ReadOnlySpan<byte> bytes, int offset = 0) where T : unmanaged =>
        MemoryMarshal.Read<T>(bytes[offset..]);

    public static byte[] FromHex(string hex) => Convert.FromHexString(hex.Trim());
}

/// <summary>A reply split into header and body.</summary>
internal sealed class ParsedReply
{
    public ParsedReply(byte[] bytes)
    {
        Bytes = bytes;
        Assert.True(bytes.Length >= FuseOutHeader.Size, "reply shorter than its header");
        Header = MemoryMarshal.Read<FuseOutHeader>(bytes);
        Assert.Equal((uint)bytes.Length, Header.Length);
    }

    public byte[] Bytes { get; }

    public FuseOutHeader Header { get; }

    public int Error => Header.Error;

    public ReadOnlySpan<byte> Body => Bytes.AsSpan(FuseOutHeader.Size);

    public T Read<T>(int offset = 0) where T : unmanaged => FuseMessages.Read<T>(Body, offset);
}
