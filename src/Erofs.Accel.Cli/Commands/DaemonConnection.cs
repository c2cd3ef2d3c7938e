using Erofs.Accel.Service.Control;

namespace Erofs.Accel.Cli.Commands;

/// <summary>
/// How the client commands reach the daemon: <c>--socket PATH</c> (else $EROFS_ACCEL_SOCKET, else
/// /run/erofs-accel/control.sock), one request, its answer; a refusal becomes the command's one-line error.
/// </summary>
internal static class DaemonConnection
{
    public const string SocketOption = "--socket";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    public static string SocketPath(CommandLine cl) => ControlSocket.Resolve(cl.Last(SocketOption));

    /// <summary>A connection to the running daemon, or null when none runs (the caller then works standalone).</summary>
    public static ControlClient? TryConnect(CommandLine cl) => ControlClient.TryConnect(SocketPath(cl));

    /// <summary>A connection to the running daemon; a one-line error when none runs.</summary>
    public static ControlClient Connect(CommandLine cl)
    {
        var path = SocketPath(cl);
        return ControlClient.TryConnect(path)
            ?? throw new IOException($"no erofs-accel daemon is running (nothing listens on {path}); start one with 'erofs-accel serve'");
    }

    /// <summary>Sends one request; a failed answer throws (usage errors exit 2, everything else 1).</summary>
    public static ControlResponse Call(ControlClient client, ControlRequest request)
    {
        var response = client.Send(request, Timeout);
        if (response.Ok) return response;
        var error = response.Error ?? "the daemon refused without a reason";
        if (response.ErrorKind == ControlErrorKinds.Usage) throw new UsageException(error);
        throw new IOException(error);
    }

    /// <summary>Connects and sends one request.</summary>
    public static ControlResponse Call(CommandLine cl, ControlRequest request)
    {
        using var client = Connect(cl);
        return Call(client, request);
    }

    /// <summary>Absolute paths, as the daemon (another process, another folder) needs them.</summary>
    public static List<string> Absolute(IEnumerable<string> paths) => paths.Select(Path.GetFullPath).ToList();
}
