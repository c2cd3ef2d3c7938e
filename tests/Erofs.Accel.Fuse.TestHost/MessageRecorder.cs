using System.Globalization;
using Erofs.Accel.Fuse.Server;

namespace Erofs.Accel.Fuse.TestHost;

/// <summary>
/// Writes every request as hex into a folder (NNNNN-OPCODE.request.hex) and, when one is sent, its reply
/// (NNNNN-OPCODE.reply.hex).
/// </summary>
internal sealed class MessageRecorder(string directory) : IMessageTap
{
    [ThreadStatic]
    private static string? _currentStem;

    private int _sequence;

    public void OnRequest(ReadOnlySpan<byte> message)
    {
        var opcode = message.Length >= 8 ? BitConverter.ToUInt32(message.Slice(4, 4)) : 0;
        var number = Interlocked.Increment(ref _sequence);
        _currentStem = Path.Combine(directory, $"{number:D5}-{opcode.ToString(CultureInfo.InvariantCulture)}");
        File.WriteAllText(_currentStem + ".request.hex", Convert.ToHexString(message) + "\n");
    }

    public void OnReply(ReadOnlySpan<byte> request, byte[] reply)
    {
        if (_currentStem is null) return;
        File.WriteAllText(_currentStem + ".reply.hex", Convert.ToHexString(reply) + "\n");
    }
}
