using System.Runtime.InteropServices;
using Erofs.Accel.Fuse.Protocol;
using Erofs.Accel.Fuse.Server;
using Erofs.Accel.Fuse.Transport;
using Erofs.Accel.Interop;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Erofs.Accel.Fuse;

/// <summary>
/// A mounted FUSE filesystem and the threads serving it. <see cref="Mount"/> validates the mount point, mounts and
/// starts serving; <see cref="Ready"/> completes once the kernel's INIT is answered; <see cref="Completion"/> completes
/// when the kernel ends the session (after <see cref="Unmount"/>, an outside umount, or an abort). <see cref="Run"/>
/// serves until then or until SIGTERM/SIGINT, which unmount cleanly.
/// </summary>
public sealed partial class FuseServer : IDisposable
{
    private readonly FuseServerOptions _options;
    private readonly ILogger _logger;
    private readonly FuseDevice _device;
    private readonly FusermountMounter.Result? _helper;
    private readonly RequestDispatcher _dispatcher;
    private readonly WorkerPool _workers;
    private readonly RingWorkerSet? _rings;
    private readonly PageCachePrefiller? _prefiller;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly object _unmountLock = new();
    private readonly uint _deviceMajor;
    private readonly uint _deviceMinor;
    private FileStream? _abortSwitch;
    private bool _unmounted;
    private bool _disposed;

    private FuseServer(
        IReadOnlyFileSystem fileSystem,
        FuseServerOptions options,
        string mountPoint,
        FuseMountMethod method,
        FuseDevice device,
        FusermountMounter.Result? helper,
        MountEntry? entry,
        RingWorkerSet? rings,
        string? transportNote)
    {
        _options = options;
        _logger = options.Logger ?? NullLogger.Instance;
        MountPoint = mountPoint;
        Method = method;
        _device = device;
        _helper = helper;
        _deviceMajor = entry?.Major ?? 0;
        _deviceMinor = entry?.Minor ?? 0;
        _rings = rings;
        TransportNote = transportNote;

        var init = InitSettingsFrom(options, offerIoUring: rings is not null)
            with { ZeroMessageOpenDir = !(method == FuseMountMethod.Fusermount && options.AutoUnmount) };
        _dispatcher = new RequestDispatcher(fileSystem, init, TimeoutsFrom(options), _logger);
        if (options.PrefillPageCache)
        {
            _prefiller = new PageCachePrefiller(fileSystem, device, options.PrefillMaxBytes, _logger);
            _dispatcher.Prefiller = _prefiller;
        }
        _workers = new WorkerPool(
            device,
            _dispatcher,
            options.MaxWorkers,
            options.MaxIdleWorkers,
            RequestBufferSize,
            ReplyBufferSize(options),
            _logger,
            OnSessionStarted,
            options.Tap,
            options.CloneDevicePerWorker);
        Completion = rings is null ? _workers.Completion : Task.WhenAll(_workers.Completion, rings.Completion);
        _workers.Completion.ContinueWith(
            _ =>
            {
                // /dev/fuse says the session is over: the rings have nothing left to serve
                _rings?.Stop();
                _prefiller?.Stop();
                _ready.TrySetException(new FuseMountException($"the FUSE session on {MountPoint} ended before it was initialised"));
            },
            TaskScheduler.Default);
    }

    /// <summary>Absolute, resolved path of the mount point.</summary>
    public string MountPoint { get; }

    /// <summary>How the filesystem was mounted.</summary>
    public FuseMountMethod Method { get; }

    /// <summary>Completes when INIT has been answered and the mount serves requests; faults if the session died first.</summary>
    public Task Ready => _ready.Task;

    /// <summary>Completes when the kernel has ended the session and every worker has stopped.</summary>
    public Task Completion { get; }

    /// <summary>
    /// The transport serving requests once <see cref="Ready"/> completed: <see cref="FuseTransport.IoUring"/> or
    /// <see cref="FuseTransport.Classic"/> (until then, and whenever io_uring was not used, Classic).
    /// </summary>
    public FuseTransport ActiveTransport { get; private set; } = FuseTransport.Classic;

    /// <summary>Why io_uring is not serving although the options allowed it (null when it is, or was not asked for).</summary>
    public string? TransportNote { get; private set; }

    /// <summary>Requests served over io_uring so far.</summary>
    internal long RingRequestCount => _rings?.RequestCount ?? 0;

    /// <summary>The protocol minor version agreed at INIT (0 before).</summary>
    public int ProtocolMinorVersion => (int)(_dispatcher.Session?.Minor ?? 0);

    /// <summary>Requests handled so far.</summary>
    public long RequestCount => _dispatcher.RequestCount;

    /// <summary>Requests that failed with an unexpected exception (answered EIO).</summary>
    public long FailedRequestCount => _dispatcher.FailureCount;

    /// <summary>Bytes pushed into the kernel's page cache around READs (<see cref="FuseServerOptions.PrefillPageCache"/>).</summary>
    public long PrefilledBytes => _prefiller?.StoredBytes ?? 0;

    /// <summary>Page-cache fills dropped because the thread storing them was behind.</summary>
    public long PrefillsDropped => _prefiller?.DroppedWindows ?? 0;

    /// <summary>Most worker threads alive at once.</summary>
    public int PeakWorkerCount => _workers.PeakWorkers;

    /// <summary>
    /// Mounts <paramref name="fileSystem"/> on <see cref="FuseServerOptions.MountPoint"/> read-only and starts serving.
    /// Throws <see cref="FuseMountException"/> (one-line message, nothing mounted) for a missing or non-directory mount
    /// point, one that is already a mount point, a missing /dev/fuse or a refused mount.
    /// </summary>
    public static FuseServer Mount(IReadOnlyFileSystem fileSystem, FuseServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(fileSystem);
        ArgumentNullException.ThrowIfNull(options);
        if (options.MaxReadBytes < 4096 || options.MaxReadBytes > 16 << 20)
            throw new ArgumentOutOfRangeException(nameof(options), "MaxReadBytes must be between 4 KiB and 16 MiB");

        if (options.Sandbox is not null && options.MountMethod == FuseMountMethod.Kernel)
            throw new ArgumentException("a sandboxed server cannot unmount a mount(2) mount: use the fusermount3 method", nameof(options));

        var logger = options.Logger ?? NullLogger.Instance;
        var parameters = new MountParameters(
            options.MountPoint, options.Source, options.Subtype, options.AllowOther, options.MaxReadBytes, Libc.GetUserId(), Libc.GetGroupId())
        {
            AutoUnmount = options.AutoUnmount,
            NoExec = options.NoExec,
        };
        var mountPoint = ValidateMountPoint(options.MountPoint, parameters.KernelFileSystemType, logger);
        parameters = parameters with { MountPoint = mountPoint };
        var method = ChooseMethod(options, logger);
        if (method == FuseMountMethod.Fusermount && options.AllowOther && Libc.GetEffectiveUserId() != 0 && !FuseConfiguration.UserAllowOther())
        {
            throw new FuseMountException(
                $"allow_other is refused for users other than root unless {FuseConfiguration.DefaultPath} has a line 'user_allow_other' " +
                "(ask the administrator to add it, or mount without allow_other)", Errno.EPERM);
        }

        // the kernel decides at mount(2) whether its INIT offers io_uring, so the switch must be on before mounting
        string? transportNote = null;
        var wantRings = options.Transport != FuseTransport.Classic;
        if (wantRings && !FuseUringSupport.TryEnable(out var unavailable))
        {
            if (options.Transport == FuseTransport.IoUring)
                throw new FuseMountException($"FUSE over io_uring is not available: {unavailable}", Errno.EOPNOTSUPP);
            transportNote = unavailable;
            wantRings = false;
        }

        FuseDevice device;
        FusermountMounter.Result? helper = null;
        if (method == FuseMountMethod.Kernel)
        {
            device = KernelMounter.Mount(parameters);
        }
        else
        {
            helper = FusermountMounter.Mount(parameters);
            device = helper.Device;
        }

        RingWorkerSet? rings = null;
        try
        {
            var entry = FindFuseMount(mountPoint);
            if (wantRings)
            {
                // set up before INIT is answered: once INIT accepts io_uring the kernel waits for every queue
                rings = PrepareRings(options, device, helper?.ControlSocket, out var failure);
                if (rings is null)
                {
                    if (options.Transport == FuseTransport.IoUring)
                        throw new FuseMountException($"FUSE over io_uring could not be set up: {failure}", Errno.EOPNOTSUPP);
                    transportNote = failure;
                }
            }
            var server = new FuseServer(fileSystem, options, mountPoint, method, device, helper, entry, rings, transportNote);
            server._logger.LogInformation("FUSE: mounted {Source} on {MountPoint} ({Method}, device {Major}:{Minor})",
                options.Source, mountPoint, method, server._deviceMajor, server._deviceMinor);
            if (transportNote is not null) server._logger.LogInformation("FUSE: serving over /dev/fuse: {Reason}", transportNote);
            server._workers.Start();
            return server;
        }
        catch
        {
            // never leave a mount nobody serves
            rings?.Stop();
            Unmounter.Unmount(mountPoint, lazy: true);
            device.Dispose();
            helper?.ControlSocket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Automatic: fusermount3 for users other than root; as root, fusermount3 too when auto-unmount is wanted (its
    /// watchdog unmounts when the server dies, even by SIGKILL: the kernel has no such option for mount(2)), mount(2)
    /// otherwise or when fusermount3 is missing.
    /// </summary>
    private static FuseMountMethod ChooseMethod(FuseServerOptions options, ILogger logger)
    {
        if (options.MountMethod != FuseMountMethod.Automatic) return options.MountMethod;
        if (Libc.GetEffectiveUserId() != 0) return FuseMountMethod.Fusermount;
        // a sandboxed server cannot unmount a mount(2) mount itself: fusermount3 (setuid) does it
        if (!options.AutoUnmount && options.Sandbox is null) return FuseMountMethod.Kernel;
        if (FusermountMounter.FindProgram() is not null || options.Sandbox is not null) return FuseMountMethod.Fusermount;
        logger.LogWarning("FUSE: {Program} not found (package fuse3): mounting with mount(2), without auto-unmount if the server dies", FusermountMounter.ProgramName);
        return FuseMountMethod.Kernel;
    }

    /// <summary>Waits for <see cref="Ready"/>; false on timeout. Throws when the session died before INIT.</summary>
    public bool WaitUntilReady(TimeSpan timeout)
    {
        try
        {
            return _ready.Task.Wait(timeout);
        }
        catch (AggregateException e) when (e.InnerException is not null)
        {
            throw e.InnerException;
        }
    }

    /// <summary>Unmounts when still mounted, stops the workers and closes the FUSE device.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        try
        {
            Unmount();
        }
        catch (Exception e)
        {
            _logger.LogError(e, "FUSE: unmount during dispose failed");
        }
        _prefiller?.Dispose();
        _device.Dispose();
        _abortSwitch?.Dispose();
        if (_helper is not null)
        {
            _helper.ControlSocket.Dispose();
            try
            {
                if (!_helper.Helper.WaitForExit(5000)) _helper.Helper.Kill();
            }
            catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                // already gone, or (sandboxed) no longer ours to signal
            }
            _helper.Helper.Dispose();
        }
    }
}
