using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using Erofs.Accel.Core;
using Erofs.Accel.Core.Caching;
using Erofs.Accel.Decompression;
using Erofs.Accel.Decompression.Engine;
using Erofs.Accel.Format;
using Erofs.Accel.Fuse;
using Erofs.Accel.Interop;
using Erofs.Accel.Service.Control;
using Erofs.Accel.Service.Images;
using Erofs.Accel.Service.Metrics;
using Erofs.Accel.Service.Namespace;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Erofs.Accel.Service.Hosting;

/// <summary>
/// <c>erofs-accel serve</c>: one process that serves any number of images with one decompression engine (accelerator
/// contexts are created once and shared), on mount points of their own or as folders of one shared namespace mount,
/// controlled through a Unix socket. Changes (attach, detach, mount, umount) are serialized; reads are not.
/// A corrupt image answers EIO on its own files and every other image keeps serving; stopping unmounts everything.
/// </summary>
public sealed partial class ServiceDaemon : IControlHandler, IDisposable
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(30);

    private readonly ServiceOptions _options;
    private readonly ILogger _logger;
    private readonly DaemonLock _lock;
    private readonly DecompressionEngine _engine;

    /// <summary>The one decoded-pcluster cache of every attached image (ServiceOptions.DecodedCacheBytes in all).</summary>
    private readonly DecodedPclusterCache _decodedCache;
    private readonly EngineLatencyListener _latency;
    private readonly ServiceMetrics _metrics;
    private readonly NamespaceFileSystem _namespace = new();
    private readonly object _changes = new();
    private readonly Dictionary<string, Served> _served = new(StringComparer.Ordinal);
    private readonly string _stateFile;
    private readonly DateTimeOffset _started = DateTimeOffset.UtcNow;
    private FuseServer? _namespaceServer;
    private (uint Major, uint Minor) _namespaceDevice;
    private ControlServer? _control;
    private int _nextSerial;
    private int _stopped;

    /// <summary>An image being served and, for a mount of its own, its FUSE server.</summary>
    private sealed class Served(AttachedImage image, FuseServer? server)
    {
        public AttachedImage Image { get; } = image;
        public FuseServer? Server { get; set; } = server;
        /// <summary>Set when the daemon itself ends the mount (so its end is not reported as an outside umount).</summary>
        public volatile bool EndedByDaemon;
        public int Retired;
    }

    private ServiceDaemon(ServiceOptions options, DaemonLock daemonLock)
    {
        _options = options;
        _logger = options.Logger ?? NullLogger.Instance;
        _lock = daemonLock;
        _stateFile = Path.Combine(options.ResolvedStateDirectory, "mounts");
        _engine = DecompressionEngine.Create(new EngineOptions
        {
            Policy = options.Policy,
            Logger = _logger,
            QueueCapacity = options.QueueCapacity,
        });
        _decodedCache = new DecodedPclusterCache(options.DecodedCacheBytes);
        _latency = new EngineLatencyListener(_engine.Meter);
        _metrics = new ServiceMetrics(Statistics);
    }

    /// <summary>The options the daemon was started with.</summary>
    public ServiceOptions Options => _options;

    /// <summary>The shared namespace (images attached there), for tests and statistics.</summary>
    public NamespaceFileSystem Namespace => _namespace;

    /// <summary>Where the shared namespace is mounted, or null.</summary>
    public string? NamespaceMountPoint => _namespaceServer?.MountPoint;

    /// <summary>
    /// Starts the daemon: takes the lock of its state folder (one daemon per folder), detaches stale mounts a killed
    /// daemon left, creates the engine, mounts the shared namespace (with <see cref="ServiceOptions.NamespaceRoot"/>)
    /// and opens the control socket. Throws <see cref="IOException"/> with a one-line reason when any of it fails, with
    /// nothing left mounted.
    /// </summary>
    public static ServiceDaemon Start(ServiceOptions options)
    {
        var state = options.ResolvedStateDirectory;
        Directory.CreateDirectory(state);
        var daemonLock = DaemonLock.Acquire(Path.Combine(state, "daemon.lock"));
        ServiceDaemon? daemon = null;
        try
        {
            daemon = new ServiceDaemon(options, daemonLock);
            daemon.CleanStaleMounts();
            if (options.NamespaceRoot is { } root) daemon.MountNamespace(root);
            daemon.RecordState();
            daemon._control = ControlServer.Start(options.SocketPath, daemon,
                new ControlAccess(Libc.GetEffectiveUserId(), options.SocketGroupId), daemon._logger, options.ControlLimits);
            daemon._logger.LogInformation("serving on {Socket} (pid {Pid}, policy {Policy}{Root})", options.SocketPath, Environment.ProcessId,
                options.Policy, options.NamespaceRoot is null ? "" : $", shared namespace at {daemon.NamespaceMountPoint}");
            return daemon;
        }
        catch
        {
            if (daemon is not null) daemon.Dispose();
            else daemonLock.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Serves until SIGTERM or SIGINT (or <paramref name="cancellationToken"/>), then stops: every mount unmounted
    /// (lazily when busy), the socket removed. <paramref name="onReady"/> runs once the handlers are installed.
    /// </summary>
    public void RunUntilStopped(Action? onReady = null, Action? onStopping = null, CancellationToken cancellationToken = default)
    {
        using var stop = new ManualResetEventSlim();
        void OnSignal(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Set();
        }
        using (PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal))
        using (PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal))
        using (cancellationToken.Register(stop.Set))
        {
            onReady?.Invoke();
            stop.Wait();
        }
        _logger.LogInformation("stop requested; unmounting {Count} image(s)", ServedImages().Count);
        onStopping?.Invoke();
        Dispose();
    }

    /// <summary>Who the daemon is: pid, version, protocol, policy, namespace and start time.</summary>
    public DaemonInfo Info => new()
    {
        Pid = Environment.ProcessId,
        Version = typeof(ServiceDaemon).Assembly.GetName().Version?.ToString() ?? "",
        ProtocolVersion = ControlProtocol.Version,
        Policy = _engine.Policy.ToString(),
        NamespaceRoot = NamespaceMountPoint,
        StartedAt = _started,
    };

    /// <inheritdoc/>
    public ControlResponse Handle(ControlRequest request, PeerCredentials peer)
    {
        try
        {
            return request.Op switch
            {
                ControlOperations.Hello => new ControlResponse { Ok = true, Daemon = Info },
                ControlOperations.List => new ControlResponse { Ok = true, Daemon = Info, Mounts = ServedImages().Select(Describe).ToList() },
                ControlOperations.Stats => new ControlResponse { Ok = true, Stats = Statistics() },
                ControlOperations.Attach => Attach(request, peer),
                ControlOperations.Mount => Mount(request, peer),
                ControlOperations.Detach or ControlOperations.Unmount => Remove(request, peer),
                _ => ControlResponse.Failed(ControlErrorKinds.Usage, $"unknown operation '{request.Op}'"),
            };
        }
        catch (RequestFailedException e)
        {
            return ControlResponse.Failed(e.Kind, e.Message);
        }
    }

    /// <summary>Everything the daemon counts, as <c>stats</c> shows it.</summary>
    public ServiceStatistics Statistics()
    {
        var images = ServedImages();
        var engine = _engine.GetStatistics();
        return new ServiceStatistics
        {
            Pid = Environment.ProcessId,
            Version = Info.Version,
            UptimeSeconds = (DateTimeOffset.UtcNow - _started).TotalSeconds,
            Policy = _engine.Policy.ToString(),
            Images = images.Select(i => new ImageStatistics
            {
                Name = i.Name,
                Kind = KindText(i.Kind),
                Image = i.ImagePath,
                Requests = i.Counters.Requests,
                Reads = i.Counters.Reads,
                BytesServed = i.Counters.BytesServed,
                Errors = i.Counters.Errors,
                ReadLatency = i.Counters.ReadLatency.Snapshot(),
                CacheHits = i.Image.DecodedCacheHits,
                CacheDecodes = i.Image.DecodedCacheMisses,
            }).ToList(),
            Backends = engine.Backends.Select(b => new ServiceBackendStatistics
            {
                Name = b.Name,
                Role = b.Role.ToString(),
                Requests = b.Requests,
                Served = b.Served,
                FallenBack = b.FallenBack,
                FallbacksByReason = b.FallbacksByReason.ToDictionary(p => p.Key.ToString(), p => p.Value),
                BytesIn = b.BytesIn,
                BytesOut = b.BytesOut,
                Cancelled = b.Cancelled,
                Breaker = b.Breaker.ToString(),
                Latency = _latency.Snapshot(b.Name),
            }).ToList(),
            DecodedCache = new DecodedCacheStatistics
            {
                SharedAcrossImages = true,
                CapacityBytes = _decodedCache.CapacityBytes,
                CachedBytes = _decodedCache.CachedBytes,
                Hits = _decodedCache.Hits,
                CrossImageHits = _decodedCache.CrossImageHits,
                Decodes = _decodedCache.Decodes,
            },
            Sharing = _namespace.SharingStatistics,
        };
    }

    private List<AttachedImage> ServedImages()
    {
        lock (_served) return _served.Values.Select(s => s.Image).OrderBy(i => i.Serial).ToList();
    }

    private MountInfo Describe(AttachedImage image) => new()
    {
        Name = image.Name,
        Kind = KindText(image.Kind),
        Image = image.ImagePath,
        Devices = image.Devices.ToList(),
        Location = image.Location,
        Domain = image.Domain,
        Policy = _engine.Policy.ToString(),
        AttachedAt = image.AttachedAt,
        UptimeSeconds = Math.Round((DateTimeOffset.UtcNow - image.AttachedAt).TotalSeconds, 3),
        BytesServed = image.Counters.BytesServed,
        Requests = image.Counters.Requests,
        Errors = image.Counters.Errors,
    };

    private static string KindText(ServeKind kind) => kind == ServeKind.Mount ? "mount" : "namespace";

    /// <summary>A refusal or failure to report to the client (not a daemon fault).</summary>
    private sealed class RequestFailedException(string kind, string message) : Exception(message)
    {
        public string Kind { get; } = kind;
    }

    private static RequestFailedException Usage(string message) => new(ControlErrorKinds.Usage, message);

    private static RequestFailedException Failure(string message) => new(ControlErrorKinds.Failure, message);

    /// <summary>Stops serving: the socket first (no new requests), then every mount and the namespace, then the engine.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0) return;
        _control?.Dispose();
        lock (_changes)
        {
            List<Served> all;
            lock (_served) all = _served.Values.ToList();
            foreach (var served in all)
            {
                served.EndedByDaemon = true;
                if (served.Server is { } server)
                {
                    server.Unmount();
                    server.Dispose();
                }
                Retire(served, "the daemon stopped");
            }
            if (_namespaceServer is { } ns)
            {
                ns.Unmount();
                ns.Dispose();
                _namespaceServer = null;
            }
            RecordState();
        }
        _latency.Dispose();
        _metrics.Dispose();
        _engine.Dispose();
        try
        {
            File.Delete(_stateFile);
        }
        catch (IOException)
        {
        }
        _lock.Dispose();
    }
}
