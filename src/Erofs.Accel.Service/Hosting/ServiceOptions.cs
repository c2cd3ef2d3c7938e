using Erofs.Accel.Decompression.Engine;
using Erofs.Accel.Service.Control;
using Microsoft.Extensions.Logging;

namespace Erofs.Accel.Service.Hosting;

/// <summary>How <c>erofs-accel serve</c> runs. Every value has a default.</summary>
public sealed record ServiceOptions
{
    /// <summary>The control socket (default /run/erofs-accel/control.sock).</summary>
    public string SocketPath { get; init; } = ControlSocket.DefaultPath;

    /// <summary>Where the shared namespace is mounted (<c>--root</c>); null serves none (attach is then refused).</summary>
    public string? NamespaceRoot { get; init; }

    /// <summary>Which accelerators the one engine may use.</summary>
    public AccelerationPolicy Policy { get; init; } = AccelerationPolicy.Resolve();

    /// <summary>Memory for decoded pclusters, for all images together.</summary>
    public long DecodedCacheBytes { get; init; } = 256L << 20;

    /// <summary>Requests queued per accelerator.</summary>
    public int QueueCapacity { get; init; } = 256;

    /// <summary>FUSE worker threads of each mount of its own (started on demand).</summary>
    public int MaxWorkersPerMount { get; init; } = 8;

    /// <summary>
    /// The FUSE transport of each mount of its own (not the shared namespace, which uses io_uring where available):
    /// /dev/fuse by default, because setting up io_uring's per-CPU rings takes about 40 ms per mount against 3-7 ms
    /// (measured on 2 vCPUs), and a daemon exists to mount many images fast. <c>serve --transport</c> chooses.
    /// </summary>
    public Fuse.FuseTransport MountTransport { get; init; } = Fuse.FuseTransport.Classic;

    /// <summary>FUSE worker threads of the shared namespace.</summary>
    public int MaxNamespaceWorkers { get; init; } = 16;

    /// <summary>A group whose members may use list and stats (the socket becomes 0660 root:GROUP); null: root only.</summary>
    public uint? SocketGroupId { get; init; }

    /// <summary>Where the daemon keeps its lock and the list of its mount points; default the socket's folder.</summary>
    public string? StateDirectory { get; init; }

    /// <summary>Bounds on control connections (count, message sizes, deadlines).</summary>
    public ControlServerLimits ControlLimits { get; init; } = new();

    /// <summary>Where the daemon logs; null for no logging.</summary>
    public ILogger? Logger { get; init; }

    internal string ResolvedStateDirectory => StateDirectory ?? Path.GetDirectoryName(Path.GetFullPath(SocketPath))!;
}
