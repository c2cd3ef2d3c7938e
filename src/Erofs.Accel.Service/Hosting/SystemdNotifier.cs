using System.Net.Sockets;
using System.Text;

namespace Erofs.Accel.Service.Hosting;

/// <summary>
/// sd_notify(3) without libsystemd: one datagram of "KEY=VALUE" lines to the Unix socket named by $NOTIFY_SOCKET (a
/// path, or an abstract name written with a leading '@'). Does nothing when the variable is unset (not started by
/// systemd with Type=notify); never throws.
/// </summary>
public sealed class SystemdNotifier
{
    /// <summary>Environment variable through which systemd names its notification socket.</summary>
    public const string EnvironmentVariable = "NOTIFY_SOCKET";

    private readonly string? _address;

    /// <summary>A notifier for <paramref name="address"/> (null: $NOTIFY_SOCKET).</summary>
    public SystemdNotifier(string? address = null)
    {
        _address = address ?? Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (string.IsNullOrEmpty(_address)) _address = null;
    }

    /// <summary>True when there is a socket to notify.</summary>
    public bool Enabled => _address is not null;

    /// <summary>Sends <paramref name="state"/> (for example "READY=1\nSTATUS=serving"); false when it could not be sent.</summary>
    public bool Notify(string state)
    {
        if (_address is null) return false;
        try
        {
            var endpoint = new UnixDomainSocketEndPoint(_address[0] == '@' ? "\0" + _address[1..] : _address);
            using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
            socket.SendTo(Encoding.UTF8.GetBytes(state), endpoint);
            return true;
        }
        catch (Exception e) when (e is SocketException or ArgumentException or IOException)
        {
            return false;
        }
    }

    /// <summary>Tells systemd the daemon is ready, with a status line; false when nothing was sent.</summary>
    public bool Ready(string status) => Notify($"READY=1\nSTATUS={status}\nMAINPID={Environment.ProcessId}");

    /// <summary>Updates the status line systemd shows; false when nothing was sent.</summary>
    public bool Status(string status) => Notify($"STATUS={status}");

    /// <summary>Tells systemd the daemon is stopping; false when nothing was sent.</summary>
    public bool Stopping() => Notify("STOPPING=1\nSTATUS=stopping");
}
