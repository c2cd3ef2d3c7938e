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
        MountEntry? entry)
    {
        _options = options;
        _logger = options.Logger ?? NullLogger.Instance;
        MountPoint = mountPoint;
        Method = method;
        _device = device;
        _helper = helper;
        _deviceMajor = entry?.Major ?? 0;
        _deviceMinor = entry?.Minor ?? 0;

        _dispatcher = new RequestDispatcher(fileSystem, InitSettingsFrom(options), TimeoutsFrom(options), _logger);
        _workers = new WorkerPool(
            device,
            _dispatcher,
            options.MaxWorkers,
            options.MaxIdleWorkers,
            RequestBufferSize,
            ReplyBufferSize(options),
            _logger,
            OnSessionStarted,
            options.Tap);
        _workers.Completion.ContinueWith(
            _ => _ready.TrySetException(new FuseMountException($"the FUSE session on {MountPoint} ended before it was initialised")),
            TaskScheduler.Default);
    }

    /// <summary>Absolute, resolved path of the mount point.</summary>
    public string MountPoint { get; }

    /// <summary>How the filesystem was mounted.</summary>
    public FuseMountMethod Method { get; }

    /// <summary>Completes when INIT has been answered and the mount serves requests; faults if the session died first.</summary>
    public Task Ready => _ready.Task;

    /// <summary>Completes when the kernel has ended the session and every worker has stopped.</summary>
    public Task Completion => _workers.Completion;

    /// <summary>The protocol minor version agreed at INIT (0 before).</summary>
    public int ProtocolMinorVersion => (int)(_dispatcher.Session?.Minor ?? 0);

    /// <summary>Requests handled so far.</summary>
    public long RequestCount => _dispatcher.RequestCount;

    /// <summary>Requests that failed with an unexpected exception (answered EIO).</summary>
    public long FailedRequestCount => _dispatcher.FailureCount;

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

        var mountPoint = ValidateMountPoint(options.MountPoint);
        var method = options.MountMethod == FuseMountMethod.Automatic
            ? (Libc.GetEffectiveUserId() == 0 && options.Sandbox is null ? FuseMountMethod.Kernel : FuseMountMethod.Fusermount)
            : options.MountMethod;
        var parameters = new MountParameters(
            mountPoint, options.Source, options.Subtype, options.AllowOther, options.MaxReadBytes, Libc.GetUserId(), Libc.GetGroupId());

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

        try
        {
            var entry = FindFuseMount(mountPoint);
            var server = new FuseServer(fileSystem, options, mountPoint, method, device, helper, entry);
            server._logger.LogInformation("FUSE: mounted {Source} on {MountPoint} ({Method}, device {Major}:{Minor})",
                options.Source, mountPoint, method, server._deviceMajor, server._deviceMinor);
            server._workers.Start();
            return server;
        }
        catch
        {
            // never leave a mount nobody serves
            Unmounter.Unmount(mountPoint, lazy: true);
            device.Dispose();
            helper?.ControlSocket.Dispose();
            throw;
        }
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
