using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Erofs.Accel.Service.Control;

/// <summary>Answers control requests; called on the connection's thread, one request of a connection at a time.</summary>
public interface IControlHandler
{
    /// <summary>Carries out one request from <paramref name="peer"/> and returns the answer; never throws for a bad request.</summary>
    ControlResponse Handle(ControlRequest request, PeerCredentials peer);
}

/// <summary>Limits that keep a hostile or broken peer from holding the daemon.</summary>
public sealed record ControlServerLimits
{
    /// <summary>Connections served at once; more are told so and closed.</summary>
    public int MaxConnections { get; init; } = 32;
    /// <summary>How long a connection may stay silent between requests.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(60);
    /// <summary>How long a message may take to arrive once it began.</summary>
    public TimeSpan FrameTimeout { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>How long writing an answer may take (a peer that stops reading).</summary>
    public TimeSpan WriteTimeout { get; init; } = TimeSpan.FromSeconds(10);
}

/// <summary>
/// The daemon's control socket: a Unix stream socket, mode 0600 (0660 with a group), on which each connection sends
/// framed requests (<see cref="ControlProtocol"/>) and gets one answer per request. A malformed, oversized, slow or
/// cut-off message, a refused peer or a failing handler affects that connection only: it gets a one-line error where
/// it can still read one, and is closed when its stream is no longer in step.
/// </summary>
public sealed class ControlServer : IDisposable
{
    private readonly Socket _listener;
    private readonly IControlHandler _handler;
    private readonly ControlAccess _access;
    private readonly ControlServerLimits _limits;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _acceptLoop;
    private int _connections;
    private int _disposed;

    private ControlServer(Socket listener, string path, IControlHandler handler, ControlAccess access, ControlServerLimits limits, ILogger logger)
    {
        _listener = listener;
        SocketPath = path;
        _handler = handler;
        _access = access;
        _limits = limits;
        _logger = logger;
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    /// <summary>The path of the listening socket.</summary>
    public string SocketPath { get; }

    /// <summary>
    /// Binds <paramref name="path"/> (a file left by a daemon that is gone is replaced: the caller holds the daemon
    /// lock), sets its mode and group, and starts accepting.
    /// </summary>
    public static ControlServer Start(string path, IControlHandler handler, ControlAccess access, ILogger logger, ControlServerLimits? limits = null)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        if (File.Exists(path)) File.Delete(path);
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            // nobody can connect before listen(), so the mode is right before anyone can use the socket
            listener.Bind(new UnixDomainSocketEndPoint(path));
            SetOwnerAndMode(path, access.GroupId);
            listener.Listen(64);
            return new ControlServer(listener, path, handler, access, limits ?? new ControlServerLimits(), logger);
        }
        catch (SocketException e)
        {
            listener.Dispose();
            throw new IOException($"{path}: cannot listen for control connections: {e.Message}");
        }
        catch
        {
            listener.Dispose();
            throw;
        }
    }

    /// <summary>Mode 0600, or 0660 with the group given to <paramref name="group"/>.</summary>
    private static unsafe void SetOwnerAndMode(string path, uint? group)
    {
        fixed (byte* name = Interop.Libc.Z(System.Text.Encoding.UTF8.GetBytes(path)))
        {
            if (group is { } g && Interop.Libc.FchownAt(Interop.Libc.AT_FDCWD, name, uint.MaxValue, g, 0) != 0)
                throw new IOException($"cannot give {path} to group {g}: {Interop.Libc.Describe(Interop.Libc.LastErrno)}");
            if (Interop.Libc.FchmodAt(Interop.Libc.AT_FDCWD, name, group is null ? 0x180u : 0x1B0u, 0) != 0)
                throw new IOException($"cannot set the mode of {path}: {Interop.Libc.Describe(Interop.Libc.LastErrno)}");
        }
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e)
            {
                _logger.LogWarning("control: accept failed: {Message}", e.Message);
                await Task.Delay(100).ConfigureAwait(false);
                continue;
            }
            if (Interlocked.Increment(ref _connections) > _limits.MaxConnections)
            {
                Interlocked.Decrement(ref _connections);
                _ = RefuseAsync(client, $"too many connections (the daemon serves {_limits.MaxConnections} at once); try again");
                continue;
            }
            _ = Task.Run(async () =>
            {
                try
                {
                    await ServeConnectionAsync(client).ConfigureAwait(false);
                }
                finally
                {
                    Interlocked.Decrement(ref _connections);
                    client.Dispose();
                }
            });
        }
    }

    private async Task RefuseAsync(Socket client, string error)
    {
        using (client)
        {
            try
            {
                using var timeout = new CancellationTokenSource(_limits.WriteTimeout);
                await client.SendAsync(ControlProtocol.Encode(ControlResponse.Failed(ControlErrorKinds.Protocol, error)), SocketFlags.None, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
            {
            }
        }
    }

    private async Task ServeConnectionAsync(Socket client)
    {
        PeerCredentials peer;
        try
        {
            peer = PeerCredentials.Of(client);
        }
        catch (Exception e) when (e is SocketException or IOException)
        {
            _logger.LogWarning("control: cannot read the peer's credentials ({Message}); connection closed", e.Message);
            return;
        }
        await using var stream = new NetworkStream(client, ownsSocket: false);
        while (!_stopping.IsCancellationRequested)
        {
            byte[]? body;
            try
            {
                using var idle = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
                idle.CancelAfter(_limits.IdleTimeout);
                body = await ControlProtocol.ReadMessageAsync(stream, ControlProtocol.MaxRequestBytes, _limits.FrameTimeout, idle.Token).ConfigureAwait(false);
            }
            catch (ControlProtocolException e)
            {
                // the stream is out of step (oversized or cut-off message): answer once if the peer still reads, then close
                _logger.LogWarning("control: {Peer}: {Message}; connection closed", peer, e.Message);
                await TryAnswerAsync(stream, ControlResponse.Failed(ControlErrorKinds.Protocol, e.Message)).ConfigureAwait(false);
                return;
            }
            catch (OperationCanceledException)
            {
                if (!_stopping.IsCancellationRequested) _logger.LogDebug("control: {Peer}: idle or too slow; connection closed", peer);
                return;
            }
            catch (IOException e)
            {
                _logger.LogDebug("control: {Peer}: {Message}; connection closed", peer, e.Message);
                return;
            }
            if (body is null) return; // the peer closed between requests
            var response = Answer(body, peer);
            if (!await TryAnswerAsync(stream, response).ConfigureAwait(false)) return;
        }
    }

    private ControlResponse Answer(byte[] body, PeerCredentials peer)
    {
        ControlRequest request;
        try
        {
            request = ControlProtocol.DecodeRequest(body);
        }
        catch (ControlProtocolException e)
        {
            _logger.LogWarning("control: {Peer}: {Message}", peer, e.Message);
            return ControlResponse.Failed(ControlErrorKinds.Protocol, e.Message);
        }
        if (request.Version != ControlProtocol.Version)
            return ControlResponse.Failed(ControlErrorKinds.Protocol,
                $"protocol version {request.Version} is not supported (this daemon speaks version {ControlProtocol.Version})");
        if (!ControlOperations.IsKnown(request.Op))
            return ControlResponse.Failed(ControlErrorKinds.Usage, $"unknown operation '{Shorten(request.Op)}'");
        var refusal = _access.Refusal(peer, request.Op);
        if (refusal is not null)
        {
            _logger.LogWarning("control: refused {Op} from {Peer}: {Refusal}", request.Op, peer, refusal);
            return ControlResponse.Failed(ControlErrorKinds.Denied, refusal);
        }
        try
        {
            return _handler.Handle(request, peer);
        }
        catch (Exception e)
        {
            _logger.LogError(e, "control: {Op} from {Peer} failed: {Message}", request.Op, peer, e.Message);
            return ControlResponse.Failed(ControlErrorKinds.Failure, $"internal error: {e.GetType().Name}: {e.Message}");
        }
    }

    private async Task<bool> TryAnswerAsync(Stream stream, ControlResponse response)
    {
        try
        {
            using var timeout = new CancellationTokenSource(_limits.WriteTimeout);
            await stream.WriteAsync(ControlProtocol.Encode(response), timeout.Token).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // the peer went away before reading its answer; what it asked for stands
            _logger.LogDebug("control: could not answer a peer that went away ({Message})", e.Message);
            return false;
        }
    }

    private static string Shorten(string s) => s.Length > 40 ? s[..40] + "..." : s;

    /// <summary>Stops accepting, closes the socket and removes its file. Open connections end with the process.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _stopping.Cancel();
        _listener.Dispose();
        try
        {
            _acceptLoop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }
        try
        {
            File.Delete(SocketPath);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
