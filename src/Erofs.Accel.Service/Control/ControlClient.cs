using System.Net.Sockets;

namespace Erofs.Accel.Service.Control;

/// <summary>Where the control socket is: the option, else $EROFS_ACCEL_SOCKET, else the default.</summary>
public static class ControlSocket
{
    /// <summary>Where the daemon listens unless told otherwise.</summary>
    public const string DefaultPath = "/run/erofs-accel/control.sock";
    /// <summary>Environment variable naming the socket for clients.</summary>
    public const string EnvironmentVariable = "EROFS_ACCEL_SOCKET";

    /// <summary>The socket path to use: <paramref name="option"/>, else $EROFS_ACCEL_SOCKET, else <see cref="DefaultPath"/>, made absolute.</summary>
    public static string Resolve(string? option) =>
        Path.GetFullPath(option ?? (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } env ? env : DefaultPath));
}

/// <summary>A connection to a running daemon: one request at a time, each with a deadline.</summary>
public sealed class ControlClient : IDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;

    private ControlClient(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: false);
    }

    /// <summary>The socket this client is connected to.</summary>
    public string SocketPath { get; private init; } = "";

    /// <summary>
    /// Connects to the daemon at <paramref name="socketPath"/>; null when none runs there (no socket file, or nobody
    /// listening on it). Throws <see cref="IOException"/> with a one-line reason when a daemon runs but this user may
    /// not reach it.
    /// </summary>
    public static ControlClient? TryConnect(string socketPath)
    {
        if (!File.Exists(socketPath)) return null;
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Connect(new UnixDomainSocketEndPoint(socketPath));
            return new ControlClient(socket) { SocketPath = socketPath };
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionRefused or SocketError.AddressNotAvailable)
        {
            socket.Dispose();
            return null;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AccessDenied)
        {
            socket.Dispose();
            throw new IOException($"{socketPath}: permission denied (the erofs-accel daemon's control socket is for root; use sudo)");
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new IOException($"{socketPath}: cannot connect to the erofs-accel daemon: {e.Message}");
        }
    }

    /// <summary>Sends one request and waits for its answer; <see cref="IOException"/> when the daemon goes away or is too slow.</summary>
    public ControlResponse Send(ControlRequest request, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            _stream.WriteAsync(ControlProtocol.Encode(request), deadline.Token).AsTask().GetAwaiter().GetResult();
            var body = ControlProtocol.ReadMessageAsync(_stream, ControlProtocol.MaxResponseBytes, timeout, deadline.Token).GetAwaiter().GetResult()
                ?? throw new IOException($"{SocketPath}: the daemon closed the connection without answering");
            return ControlProtocol.DecodeResponse(body);
        }
        catch (OperationCanceledException)
        {
            throw new IOException($"{SocketPath}: the daemon did not answer '{request.Op}' within {timeout.TotalSeconds:0} s");
        }
        catch (ControlProtocolException e)
        {
            throw new IOException($"{SocketPath}: {e.Message}");
        }
        catch (SocketException e)
        {
            throw new IOException($"{SocketPath}: {e.Message}");
        }
    }

    /// <summary>Closes the connection.</summary>
    public void Dispose()
    {
        _stream.Dispose();
        _socket.Dispose();
    }
}
