using System.Buffers.Binary;
using System.Text.Json;

namespace Erofs.Accel.Service.Control;

/// <summary>A message that breaks the control protocol: its text is what the peer is told.</summary>
public sealed class ControlProtocolException(string message) : Exception(message);

/// <summary>
/// Framing of the control protocol: every message is a 4-byte big-endian length and that many bytes of UTF-8 JSON
/// (<see cref="ControlRequest"/> one way, <see cref="ControlResponse"/> the other). Requests are at most
/// <see cref="MaxRequestBytes"/>, responses at most <see cref="MaxResponseBytes"/>; a longer length is refused before
/// anything is allocated.
/// </summary>
public static class ControlProtocol
{
    /// <summary>The protocol version this build speaks; a request carrying another one is refused by name.</summary>
    public const int Version = 1;
    /// <summary>Largest request body accepted, in bytes.</summary>
    public const int MaxRequestBytes = 64 * 1024;
    /// <summary>Largest response body a client accepts, in bytes.</summary>
    public const int MaxResponseBytes = 16 * 1024 * 1024;
    /// <summary>Bytes of the length prefix before each JSON body.</summary>
    public const int HeaderBytes = 4;

    /// <summary>The request as a framed message: length prefix then JSON.</summary>
    public static byte[] Encode(ControlRequest request) => Frame(JsonSerializer.SerializeToUtf8Bytes(request, ControlJsonContext.Default.ControlRequest));

    /// <summary>The response as a framed message: length prefix then JSON.</summary>
    public static byte[] Encode(ControlResponse response) => Frame(JsonSerializer.SerializeToUtf8Bytes(response, ControlJsonContext.Default.ControlResponse));

    /// <summary>Parses a request body; throws <see cref="ControlProtocolException"/> for anything but a JSON request object.</summary>
    public static ControlRequest DecodeRequest(ReadOnlySpan<byte> body)
    {
        try
        {
            return JsonSerializer.Deserialize(body, ControlJsonContext.Default.ControlRequest)
                ?? throw new ControlProtocolException("malformed request: expected a JSON object, got null");
        }
        catch (JsonException e)
        {
            throw new ControlProtocolException($"malformed request: {FirstLine(e.Message)}");
        }
    }

    /// <summary>Parses a response body (without its length prefix); throws <see cref="ControlProtocolException"/> when it is malformed.</summary>
    public static ControlResponse DecodeResponse(ReadOnlySpan<byte> body)
    {
        try
        {
            return JsonSerializer.Deserialize(body, ControlJsonContext.Default.ControlResponse)
                ?? throw new ControlProtocolException("malformed response: expected a JSON object, got null");
        }
        catch (JsonException e)
        {
            throw new ControlProtocolException($"malformed response: {FirstLine(e.Message)}");
        }
    }

    /// <summary>
    /// Reads one message body. Null when the stream ends cleanly before a message starts; throws
    /// <see cref="ControlProtocolException"/> for a length above <paramref name="maxBytes"/> or a stream that ends
    /// inside a message, and <see cref="OperationCanceledException"/> when a token fires (idle or slow peers).
    /// </summary>
    /// <param name="idle">Cancels the wait for a message to begin.</param>
    /// <param name="frameTimeout">Once it began, the rest must arrive within this time.</param>
    public static async Task<byte[]?> ReadMessageAsync(Stream stream, int maxBytes, TimeSpan frameTimeout, CancellationToken idle)
    {
        var header = new byte[HeaderBytes];
        int got = await stream.ReadAsync(header.AsMemory(0, 1), idle).ConfigureAwait(false);
        if (got == 0) return null;
        using var frame = CancellationTokenSource.CreateLinkedTokenSource(idle);
        frame.CancelAfter(frameTimeout);
        await ReadExactlyAsync(stream, header.AsMemory(1), "header", frame.Token).ConfigureAwait(false);
        uint length = BinaryPrimitives.ReadUInt32BigEndian(header);
        if (length == 0) throw new ControlProtocolException("empty message (length 0)");
        if (length > (uint)maxBytes) throw new ControlProtocolException($"message of {length} bytes exceeds the limit of {maxBytes} bytes");
        var body = new byte[length];
        await ReadExactlyAsync(stream, body, "body", frame.Token).ConfigureAwait(false);
        return body;
    }

    private static async Task ReadExactlyAsync(Stream stream, Memory<byte> buffer, string part, CancellationToken cancellationToken)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int n = await stream.ReadAsync(buffer[total..], cancellationToken).ConfigureAwait(false);
            if (n == 0) throw new ControlProtocolException($"connection closed inside a message ({part} cut short after {total} of {buffer.Length} bytes)");
            total += n;
        }
    }

    private static byte[] Frame(byte[] json)
    {
        var message = new byte[HeaderBytes + json.Length];
        BinaryPrimitives.WriteUInt32BigEndian(message, (uint)json.Length);
        json.CopyTo(message, HeaderBytes);
        return message;
    }

    private static string FirstLine(string text)
    {
        int newline = text.IndexOfAny(['\r', '\n']);
        return newline < 0 ? text : text[..newline];
    }
}
