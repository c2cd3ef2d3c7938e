using System.Diagnostics;
using System.Text;
using Erofs.Accel.Core;
using Erofs.Accel.Decompression;
using Erofs.Accel.Format;
using Erofs.Accel.Fuse;
using Erofs.Accel.Interop;
using Erofs.Accel.Service.Control;
using Erofs.Accel.Service.Images;
using Erofs.Accel.Service.Namespace;
using Microsoft.Extensions.Logging;

namespace Erofs.Accel.Service.Hosting;

/// <summary>Attach, detach, mount and umount.</summary>
public sealed partial class ServiceDaemon
{
    /// <summary>Decoded-pcluster cache of each image while every image has its own (see docs/service.md).</summary>

    private ControlResponse Attach(ControlRequest request, PeerCredentials peer)
    {
        long start = Stopwatch.GetTimestamp();
        var imagePath = RequireAbsolute(request.Image, "image");
        var name = request.Name ?? ImageName.FromPath(imagePath);
        if (ImageName.Problem(name) is { } problem) throw Usage(problem);
        var domain = request.Domain ?? "default";
        if (ImageName.Problem(domain) is { } domainProblem) throw Usage("domain: " + domainProblem);
        lock (_changes)
        {
            if (_namespaceServer is null)
                throw Failure(_options.NamespaceRoot is null
                    ? "this daemon serves no shared namespace: start it with 'erofs-accel serve --root DIR'"
                    : $"the shared namespace at {_options.NamespaceRoot} was unmounted from outside; restart the daemon");
            lock (_served)
            {
                if (_served.TryGetValue(name, out var taken))
                    throw Usage($"the name '{name}' is taken by {taken.Image.ImagePath}; choose another with --name");
            }
            var image = OpenImage(imagePath, Devices(request), name, ServeKind.Namespace, domain);
            image.Location = Path.Combine(_namespaceServer.MountPoint, name);
            if (!_namespace.TryAdd(image))
            {
                image.Detach();
                throw Usage($"the name '{name}' is taken; choose another with --name");
            }
            lock (_served) _served.Add(name, new Served(image, null));
            // the kernel may remember the name as missing (negative lookups are cached) and the root listing
            var nameBytes = Encoding.UTF8.GetBytes(name);
            _namespaceServer.InvalidateEntry(NamespaceInode.Root, nameBytes);
            _namespaceServer.InvalidateNode(NamespaceInode.Root);
            var elapsed = Stopwatch.GetElapsedTime(start);
            _logger.LogInformation("attached {Name} ({Image}) at {Location} in {Milliseconds:0.0} ms for {Peer}", name, imagePath, image.Location,
                elapsed.TotalMilliseconds, peer);
            return new ControlResponse
            {
                Ok = true,
                Message = $"attached {imagePath} at {image.Location}",
                Mounts = new() { Describe(image) with { SetupMilliseconds = elapsed.TotalMilliseconds } },
            };
        }
    }

    private ControlResponse Mount(ControlRequest request, PeerCredentials peer)
    {
        long start = Stopwatch.GetTimestamp();
        var imagePath = RequireAbsolute(request.Image, "image");
        var mountPoint = RequireAbsolute(request.MountPoint, "mount point");
        lock (_changes)
        {
            string name;
            lock (_served)
            {
                if (request.Name is { } wanted)
                {
                    if (ImageName.Problem(wanted) is { } problem) throw Usage(problem);
                    if (_served.ContainsKey(wanted)) throw Usage($"the name '{wanted}' is taken; choose another with --name");
                    name = wanted;
                }
                else
                {
                    name = UniqueName(ImageName.FromPath(imagePath));
                }
            }
            var image = OpenImage(imagePath, Devices(request), name, ServeKind.Mount, "default");
            var opened = Stopwatch.GetElapsedTime(start);
            StaleMounts.TryClean(mountPoint, _logger);
            FuseServer server;
            try
            {
                server = FuseServer.Mount(image.FileSystem, new FuseServerOptions
                {
                    MountPoint = mountPoint,
                    Source = imagePath,
                    MaxWorkers = _options.MaxWorkersPerMount,
                    MaxIdleWorkers = 1,
                    Logger = _logger,
                    // no fusermount3 watchdog per mount (one process each is what the daemon exists to avoid): the
                    // next daemon detaches what a killed one left (docs/service.md, "After SIGKILL")
                    AutoUnmount = false,
                    Transport = _options.MountTransport,
                });
            }
            catch (FuseMountException e)
            {
                image.Detach();
                throw Failure(e.Message);
            }
            var served = new Served(image, server);
            var mounted = Stopwatch.GetElapsedTime(start);
            try
            {
                if (!server.WaitUntilReady(ReadyTimeout)) throw Failure($"{mountPoint}: the kernel did not start the FUSE session within {ReadyTimeout.TotalSeconds:0} s");
            }
            catch (Exception e)
            {
                served.EndedByDaemon = true;
                server.Dispose();
                image.Detach();
                if (e is RequestFailedException) throw;
                throw Failure($"{mountPoint}: {e.Message}");
            }
            image.Location = server.MountPoint;
            lock (_served) _served.Add(name, served);
            server.Completion.ContinueWith(_ => OnSessionEnded(served), TaskScheduler.Default);
            var ready = Stopwatch.GetElapsedTime(start);
            RecordState();
            var elapsed = Stopwatch.GetElapsedTime(start);
            _logger.LogInformation("mounted {Name} ({Image}) on {MountPoint} in {Milliseconds:0.0} ms for {Peer}", name, imagePath, server.MountPoint,
                elapsed.TotalMilliseconds, peer);
            _logger.LogDebug("mount of {Name}: image opened and checked at {Opened:0.0} ms, mounted at {Mounted:0.0} ms, INIT answered at {Ready:0.0} ms",
                name, opened.TotalMilliseconds, mounted.TotalMilliseconds, ready.TotalMilliseconds);
            return new ControlResponse
            {
                Ok = true,
                Message = $"mounted {imagePath} on {server.MountPoint} (daemon pid {Environment.ProcessId})",
                Mounts = new() { Describe(image) with { SetupMilliseconds = elapsed.TotalMilliseconds } },
            };
        }
    }

    /// <summary>detach NAME and umount MOUNTPOINT|NAME: refused while files are open, unless forced.</summary>
    private ControlResponse Remove(ControlRequest request, PeerCredentials peer)
    {
        var target = request.Name ?? request.MountPoint ?? throw Usage($"{request.Op}: say which image (a name or a mount point)");
        lock (_changes)
        {
            Served? served;
            lock (_served)
            {
                served = _served.Values.FirstOrDefault(s => s.Image.Name == target)
                    ?? _served.Values.FirstOrDefault(s => s.Image.Location == SafeFullPath(target));
            }
            if (served is null) throw Failure($"{target}: no image of this daemon has that name or mount point");
            var image = served.Image;
            if (served.Server is { } server)
            {
                served.EndedByDaemon = true;
                if (!request.Force)
                {
                    if (Libc.Unmount2(server.MountPoint, Libc.UMOUNT_NOFOLLOW) != 0)
                    {
                        int errno = Libc.LastErrno;
                        served.EndedByDaemon = false;
                        if (errno == Libc.EBUSY)
                            throw new RequestFailedException(ControlErrorKinds.Busy, $"{server.MountPoint} is busy: files are open there; close them or use --force");
                        throw Failure($"{server.MountPoint}: cannot unmount: {Libc.Describe(errno)}");
                    }
                }
                server.Unmount();
                server.Dispose();
            }
            else
            {
                var users = NamespaceUsers(image);
                if (users.Count > 0 && !request.Force)
                    throw new RequestFailedException(ControlErrorKinds.Busy,
                        $"{image.Name} is in use: {string.Join("; ", users)}; close them or use --force");
                _namespace.Remove(image);
                if (_namespaceServer is { } ns)
                {
                    ns.InvalidateEntry(NamespaceInode.Root, Encoding.UTF8.GetBytes(image.Name));
                    ns.InvalidateNode(NamespaceInode.Root);
                }
            }
            Retire(served, request.Force ? $"{request.Op} --force by {peer}" : $"{request.Op} by {peer}");
            return new ControlResponse { Ok = true, Message = $"{(served.Server is null ? "detached" : "unmounted")} {image.Name} ({image.Location})" };
        }
    }

    /// <summary>Processes and bind mounts that use files of a namespace image (none when the namespace is not mounted).</summary>
    private IReadOnlyList<string> NamespaceUsers(AttachedImage image)
    {
        if (_namespaceServer is null) return Array.Empty<string>();
        var (major, minor) = _namespaceDevice;
        var folder = "/" + image.Name;
        return FileUsers.Find(major, minor, inode => _namespace.KeepsBusy(inode, image),
            root => root == folder || root.StartsWith(folder + "/", StringComparison.Ordinal));
    }

    /// <summary>A mount of its own ended: by umount from outside, or by the daemon (then already retired).</summary>
    private void OnSessionEnded(Served served)
    {
        if (Volatile.Read(ref served.Retired) != 0) return;
        lock (_changes)
        {
            if (Volatile.Read(ref served.Retired) != 0) return;
            served.Server?.Dispose();
            Retire(served, served.EndedByDaemon ? "unmounted" : "unmounted from outside");
        }
    }

    /// <summary>Forgets an image and drops the daemon's reference; it closes when its last request ends.</summary>
    private void Retire(Served served, string why)
    {
        if (Interlocked.Exchange(ref served.Retired, 1) != 0) return;
        lock (_served)
        {
            if (_served.TryGetValue(served.Image.Name, out var current) && current == served) _served.Remove(served.Image.Name);
        }
        served.Image.Detach();
        RecordState();
        _logger.LogInformation("{Name} ({Image}) is no longer served: {Why}", served.Image.Name, served.Image.ImagePath, why);
    }

    /// <summary>Opens and checks an image with the daemon's engine; failures become one-line errors naming it.</summary>
    private AttachedImage OpenImage(string path, IReadOnlyList<string> devices, string name, ServeKind kind, string domain)
    {
        if (Directory.Exists(path)) throw Failure($"{path}: is a directory, not an image file");
        if (!File.Exists(path)) throw Failure($"{path}: no such file");
        foreach (var d in devices)
            if (!File.Exists(d)) throw Failure($"{d}: no such device file");
        if (_nextSerial >= NamespaceInode.MaxImageSerial) throw Failure("this daemon has served as many images as it can number; restart it");
        ErofsImage image;
        try
        {
            image = ErofsImage.Open(path, new ErofsImageOptions
            {
                ExtraDevicePaths = devices.ToArray(),
                Decompressor = _engine,
                DecodedCache = _decodedCache, // one budget for every image, entries keyed by content
            });
        }
        catch (Exception e) when (e is ErofsException or IOException or UnauthorizedAccessException)
        {
            throw Failure($"{path}: {e.Message}");
        }
        try
        {
            // a corrupt root fails here, before the image is served
            _ = image.ListDirectory(image.Root).Take(2).ToList();
        }
        catch (Exception e) when (e is ErofsException or IOException)
        {
            image.Dispose();
            throw Failure($"{path}: {e.Message}");
        }
        int serial = ++_nextSerial;
        var fileSystem = new ImageFileSystem(image, name, path, _logger, _metrics);
        return new AttachedImage(serial, name, kind, path, devices, domain, image, fileSystem);
    }

    private void MountNamespace(string root)
    {
        StaleMounts.TryClean(root, _logger);
        Directory.CreateDirectory(root);
        FuseServer server;
        try
        {
            server = FuseServer.Mount(_namespace, new FuseServerOptions
            {
                MountPoint = root,
                Source = "erofs-accel-namespace",
                // the namespace is for every user of the host (containers run as many users); permissions still apply
                AllowOther = true,
                MaxWorkers = _options.MaxNamespaceWorkers,
                Logger = _logger,
                AutoUnmount = false, // as for the daemon's other mounts: the next daemon detaches a dead root
            });
        }
        catch (FuseMountException e)
        {
            throw new IOException($"shared namespace: {e.Message}");
        }
        if (!server.WaitUntilReady(ReadyTimeout))
        {
            server.Dispose();
            throw new IOException($"shared namespace: the kernel did not start the FUSE session on {root}");
        }
        if (Libc.TryGetFileStatus(server.MountPoint, out var status) != 0)
        {
            server.Dispose();
            throw new IOException($"shared namespace: cannot stat {server.MountPoint}");
        }
        _namespaceDevice = (status.DeviceMajor, status.DeviceMinor);
        _namespaceServer = server;
        server.Completion.ContinueWith(_ =>
        {
            if (Volatile.Read(ref _stopped) == 0)
                _logger.LogError("the shared namespace at {Root} was unmounted from outside; attach is refused until the daemon restarts", root);
        }, TaskScheduler.Default);
    }

    /// <summary>Detaches mounts a killed daemon left behind (recorded in the state file, and the namespace root).</summary>
    private void CleanStaleMounts()
    {
        var candidates = StaleMounts.ReadRecorded(_stateFile).ToList();
        if (_options.NamespaceRoot is { } root) candidates.Add(Path.GetFullPath(root));
        foreach (var path in candidates.Distinct(StringComparer.Ordinal)) StaleMounts.TryClean(path, _logger);
    }

    /// <summary>Records the daemon's mount points, so the next start can clean up after a SIGKILL.</summary>
    private void RecordState()
    {
        var points = new List<string>();
        if (_namespaceServer is { } ns) points.Add(ns.MountPoint);
        lock (_served) points.AddRange(_served.Values.Where(s => s.Server is not null).Select(s => s.Image.Location));
        try
        {
            StaleMounts.Record(_stateFile, points);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _logger.LogWarning("cannot record mount points in {StateFile}: {Message}", _stateFile, e.Message);
        }
    }

    private string UniqueName(string wanted)
    {
        if (!_served.ContainsKey(wanted)) return wanted;
        for (int i = 2; ; i++)
            if (!_served.ContainsKey($"{wanted}-{i}")) return $"{wanted}-{i}";
    }

    private static IReadOnlyList<string> Devices(ControlRequest request)
    {
        var devices = request.Devices ?? new List<string>();
        if (devices.Count > 255) throw Usage("at most 255 extra devices");
        foreach (var d in devices)
            if (!Path.IsPathFullyQualified(d)) throw Usage($"device paths must be absolute: '{d}'");
        return devices;
    }

    private static string RequireAbsolute(string? path, string what)
    {
        if (string.IsNullOrEmpty(path)) throw Usage($"no {what} given");
        if (!Path.IsPathFullyQualified(path)) throw Usage($"the {what} must be an absolute path: '{path}'");
        if (path.Length > 4096 || path.Contains('\0')) throw Usage($"the {what} path is not usable");
        return Path.GetFullPath(path);
    }

    private static string SafeFullPath(string path)
    {
        try
        {
            return Path.IsPathFullyQualified(path) ? Path.GetFullPath(path).TrimEnd('/') : path;
        }
        catch (ArgumentException)
        {
            return path;
        }
    }
}
