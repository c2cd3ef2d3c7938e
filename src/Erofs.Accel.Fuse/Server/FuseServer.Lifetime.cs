using System.Runtime.InteropServices;
using Erofs.Accel.Fuse.Protocol;
using Erofs.Accel.Fuse.Sandbox;
using Erofs.Accel.Fuse.Transport;
using Erofs.Accel.Interop;
using Microsoft.Extensions.Logging;

namespace Erofs.Accel.Fuse;

/// <summary>Unmounting, aborting, serving until a signal, and what happens once INIT is done.</summary>
public sealed partial class FuseServer
{
    /// <summary>
    /// Unmounts: umount2, and a lazy detach if the mount is busy. Waits up to the grace period for the session to end,
    /// then aborts the connection. Safe to call more than once and after an outside unmount.
    /// </summary>
    public void Unmount()
    {
        lock (_unmountLock)
        {
            if (_unmounted) return;
            _unmounted = true;
            if (Sandboxed && _helper is not null)
            {
                UnmountThroughHelper(_helper);
                return;
            }
            if (!Completion.IsCompleted && IsStillMounted())
            {
                var error = Unmounter.Unmount(MountPoint, lazy: false);
                if (error == Errno.EBUSY)
                {
                    _logger.LogWarning("FUSE: {MountPoint} is busy; detaching it lazily", MountPoint);
                    error = Unmounter.Unmount(MountPoint, lazy: true);
                }
                if (error != Errno.Success && error != Errno.EINVAL && error != Errno.ENOENT)
                    _logger.LogError("FUSE: unmounting {MountPoint} failed: {Error}", MountPoint, Libc.Describe(error));
            }
            if (Completion.Wait(_options.UnmountGracePeriod)) return;
            _logger.LogWarning("FUSE: session on {MountPoint} still open after unmount; aborting the connection", MountPoint);
            if (!Abort()) _logger.LogError("FUSE: could not abort the connection of {MountPoint}", MountPoint);
            Completion.Wait(_options.UnmountGracePeriod);
        }
    }

    /// <summary>Aborts the connection through fusectl: pending requests fail and the workers stop. False if unreachable.</summary>
    public bool Abort() => _abortSwitch is not null
        ? FuseConnectionControl.TryAbort(_abortSwitch)
        : (_deviceMajor | _deviceMinor) != 0 && FuseConnectionControl.TryAbort(_deviceMajor, _deviceMinor);

    /// <summary>
    /// How a sandboxed server unmounts, having no right to: it ends its connection (through the fusectl switch it
    /// opened before the sandbox), then closes its end of the fusermount3 socket; the helper, finding the mount's
    /// connection gone, detaches it (auto_unmount). Files still open on the mount then fail with ENOTCONN.
    /// </summary>
    private void UnmountThroughHelper(FusermountMounter.Result helper)
    {
        if (!Completion.IsCompleted)
        {
            // the helper unmounts only if opening the mount fails with ENOTCONN; with cached root attributes and
            // zero-message opendir that open would not reach the dead connection, so make the kernel ask first
            InvalidateRootAttributes();
            if (!Abort()) _logger.LogError("FUSE: could not end the connection of {MountPoint}", MountPoint);
            Completion.Wait(_options.UnmountGracePeriod);
        }
        helper.ControlSocket.Dispose();
        try
        {
            if (!helper.Helper.WaitForExit((int)_options.UnmountGracePeriod.TotalMilliseconds))
                _logger.LogError("FUSE: {Program} did not detach {MountPoint}", FusermountMounter.ProgramName, MountPoint);
        }
        catch (InvalidOperationException)
        {
            // the helper was never started by us: nothing to wait for
        }
    }

    /// <summary>
    /// Serves until the filesystem is unmounted from outside, <paramref name="cancellationToken"/> fires, or SIGTERM or
    /// SIGINT arrives; the last three unmount cleanly (lazily if busy). The signal handlers are installed first, then
    /// <paramref name="onReady"/> runs once INIT has been answered (announce readiness there, not before calling Run,
    /// so an early signal cannot kill the process with the mount left behind). Returns the process exit code: 0, or 1
    /// if the session failed or the mount could not be removed.
    /// </summary>
    public int Run(Action? onReady = null, CancellationToken cancellationToken = default)
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
            var ended = ((IAsyncResult)Completion).AsyncWaitHandle;
            var ready = ((IAsyncResult)_ready.Task).AsyncWaitHandle;
            if (WaitHandle.WaitAny([stop.WaitHandle, ended, ready]) == 2 && _ready.Task.IsCompletedSuccessfully)
            {
                if (_options.Sandbox is { } sandbox && !TryEnterSandbox(sandbox))
                {
                    Unmount();
                    return 1;
                }
                onReady?.Invoke();
            }
            WaitHandle.WaitAny([stop.WaitHandle, ended]);
            if (stop.IsSet && !Completion.IsCompleted)
            {
                _logger.LogInformation("FUSE: stop requested; unmounting {MountPoint}", MountPoint);
                Unmount();
                // detached from the namespace: even if the kernel still holds the session open for files in use, the
                // process exit closes /dev/fuse and ends it
                return IsStillMounted() ? 1 : 0;
            }
        }
        return _workers.Faulted ? 1 : 0;
    }

    private unsafe void InvalidateRootAttributes()
    {
        var header = new FuseOutHeader { Length = FuseOutHeader.Size + FuseNotifyInvalInodeOut.Size, Error = FuseNotifyInvalInodeOut.NotifyCode };
        var body = new FuseNotifyInvalInodeOut { NodeId = NodeIdMap.RootNodeId, Offset = -1 };
        Span<IoVector> pieces =
        [
            new IoVector { Base = (byte*)&header, Length = FuseOutHeader.Size },
            new IoVector { Base = (byte*)&body, Length = FuseNotifyInvalInodeOut.Size },
        ];
        var error = _device.WriteReply(pieces);
        if (error != Errno.Success) _logger.LogDebug("FUSE: invalidating the root's attributes failed: {Error}", Libc.Describe(error));
    }

    /// <summary>Whether the process has given up its privileges (<see cref="FuseServerOptions.Sandbox"/>).</summary>
    public bool Sandboxed { get; private set; }

    /// <summary>Enters the sandbox once the mount serves and before readiness is announced; false (logged) if it failed.</summary>
    private bool TryEnterSandbox(SandboxSettings sandbox)
    {
        if ((_deviceMajor | _deviceMinor) != 0) _abortSwitch = FuseConnectionControl.TryOpenAbortSwitch(_deviceMajor, _deviceMinor);
        if (_abortSwitch is null)
        {
            _logger.LogError("FUSE: the fusectl abort switch of {MountPoint} cannot be opened, so a sandboxed server could not stop; unmounting", MountPoint);
            return false;
        }
        try
        {
            var state = ProcessSandbox.Enter(sandbox);
            Sandboxed = true;
            _logger.LogInformation("FUSE: sandbox on: {State}", state);
            return true;
        }
        catch (FuseMountException e)
        {
            // a half-applied sandbox still leaves this process unable to unmount by mount(2): use the helper's way
            Sandboxed = true;
            _logger.LogError("FUSE: {Message}; unmounting {MountPoint} (--no-sandbox runs without it)", e.Message, MountPoint);
            return false;
        }
    }

    private bool IsStillMounted()
    {
        try
        {
            var entry = FindFuseMount(MountPoint);
            if (entry is null) return false;
            // when the device number was unknown at mount time, any FUSE mount here counts as ours
            return (_deviceMajor | _deviceMinor) == 0 || (entry.Major == _deviceMajor && entry.Minor == _deviceMinor);
        }
        catch (IOException)
        {
            return true;
        }
    }

    private void OnSessionStarted()
    {
        if (_options.ReadAheadKilobytes > 0 && (_deviceMajor | _deviceMinor) != 0
            && !FuseConnectionControl.TrySetReadAhead(_deviceMajor, _deviceMinor, _options.ReadAheadKilobytes))
        {
            _logger.LogDebug("FUSE: could not raise read_ahead_kb of {Major}:{Minor}", _deviceMajor, _deviceMinor);
        }
        _ready.TrySetResult();
    }
}
