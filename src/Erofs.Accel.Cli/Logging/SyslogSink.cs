using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Erofs.Accel.Cli;

/// <summary>
/// Log lines to the local syslog socket (/dev/log: journald or rsyslog) as RFC 3164 datagrams,
/// <c>&lt;PRI&gt;Mmm dd hh:mm:ss erofs-accel[PID]: message</c>, facility daemon. A datagram that cannot be sent
/// (the daemon restarted) is retried once on a new connection, then dropped.
/// </summary>
internal sealed class SyslogSink : ILogSink, IDisposable
{
    public const string DefaultPath = "/dev/log";
    private const int Facility = 3; // daemon
    private const int MaxMessageBytes = 2048;

    private readonly string _path;
    private readonly string _identifier;
    private readonly object _lock = new();
    private Socket? _socket;

    public SyslogSink(string path = DefaultPath, string identifier = "erofs-accel")
    {
        _path = path;
        _identifier = identifier;
        _socket = Connect(path) ?? throw new IOException($"no syslog socket at {path} (is journald or rsyslog running?)");
    }

    public string Description => _path == DefaultPath ? "syslog" : $"syslog ({_path})";

    /// <summary>True when a syslog daemon listens on <paramref name="path"/>.</summary>
    public static bool IsAvailable(string path = DefaultPath)
    {
        using var socket = Connect(path);
        return socket is not null;
    }

    private static Socket? Connect(string path)
    {
        if (!Path.Exists(path)) return null;
        var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        try
        {
            socket.Connect(new UnixDomainSocketEndPoint(path));
            return socket;
        }
        catch (SocketException)
        {
            socket.Dispose();
            return null;
        }
    }

    /// <summary>The datagram for one message (exposed for tests).</summary>
    public static byte[] Format(LogLevel level, string message, string identifier, int processId, DateTime localTime)
    {
        int severity = level switch
        {
            LogLevel.Critical => 2,
            LogLevel.Error => 3,
            LogLevel.Warning => 4,
            LogLevel.Information => 6,
            _ => 7,
        };
        var stamp = localTime.ToString("MMM", CultureInfo.InvariantCulture) + " "
            + localTime.Day.ToString(CultureInfo.InvariantCulture).PadLeft(2) + " "
            + localTime.ToString("HH:mm:ss", CultureInfo.InvariantCulture);
        var text = $"<{Facility * 8 + severity}>{stamp} {identifier}[{processId}]: {TextLogSink.LevelPrefix(level)}{message}";
        var bytes = Encoding.UTF8.GetBytes(text);
        return bytes.Length <= MaxMessageBytes ? bytes : bytes[..MaxMessageBytes];
    }

    public void Write(LogLevel level, string message)
    {
        var datagram = Format(level, message, _identifier, Environment.ProcessId, DateTime.Now);
        lock (_lock)
        {
            for (int attempt = 0; attempt < 2; attempt++)
            {
                try
                {
                    _socket ??= Connect(_path);
                    if (_socket is null) return;
                    _socket.Send(datagram);
                    return;
                }
                catch (SocketException)
                {
                    _socket?.Dispose();
                    _socket = null;
                }
            }
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _socket?.Dispose();
            _socket = null;
        }
    }
}
