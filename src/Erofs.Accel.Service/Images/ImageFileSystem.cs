using System.Diagnostics;
using Erofs.Accel.Core;
using Erofs.Accel.Fuse;
using Erofs.Accel.Mount;
using Erofs.Accel.Service.Metrics;
using Microsoft.Extensions.Logging;

namespace Erofs.Accel.Service.Images;

/// <summary>
/// One image's filesystem as the daemon serves it: <see cref="ErofsFileSystem"/> (so the mount's rules on attributes,
/// xattrs and errors hold unchanged), with every request counted and timed, and every unexpected failure (a corrupt
/// structure, a failed read of the image file) turned into EIO with a log line that names the image. Log lines of one
/// image are spaced by <see cref="FaultLogInterval"/>; the ones in between are counted and reported with the next.
/// </summary>
public sealed class ImageFileSystem : IReadOnlyFileSystem
{
    /// <summary>Least time between two log lines about faults of one image.</summary>
    public static readonly TimeSpan FaultLogInterval = TimeSpan.FromSeconds(10);

    private readonly ErofsFileSystem _inner;
    private readonly string _name;
    private readonly string _path;
    private readonly ILogger _logger;
    private readonly ServiceMetrics? _metrics;
    private readonly object _faultLock = new();
    private long _lastFaultLog = long.MinValue;
    private long _suppressedFaults;

    /// <summary>Serves <paramref name="image"/> named <paramref name="name"/> (file <paramref name="path"/>), counting requests and logging faults.</summary>
    public ImageFileSystem(ErofsImage image, string name, string path, ILogger logger, ServiceMetrics? metrics = null)
    {
        _inner = new ErofsFileSystem(image);
        _name = name;
        _path = path;
        _logger = logger;
        _metrics = metrics;
    }

    /// <summary>Requests, reads, bytes and errors served.</summary>
    public ImageCounters Counters { get; } = new();

    /// <inheritdoc/>
    public ulong RootInode => _inner.RootInode;

    /// <inheritdoc/>
    public Errno Lookup(ulong parent, ReadOnlySpan<byte> name, out NodeAttributes attributes)
    {
        Counters.Request();
        try
        {
            return _inner.Lookup(parent, name, out attributes);
        }
        catch (Exception e) when (e is not FileSystemErrorException)
        {
            throw Fault("LOOKUP", parent, e);
        }
    }

    /// <inheritdoc/>
    public Errno GetAttributes(ulong inode, out NodeAttributes attributes)
    {
        Counters.Request();
        try
        {
            return _inner.GetAttributes(inode, out attributes);
        }
        catch (Exception e) when (e is not FileSystemErrorException)
        {
            throw Fault("GETATTR", inode, e);
        }
    }

    /// <inheritdoc/>
    public Errno ReadLink(ulong inode, Span<byte> destination, out int length)
    {
        Counters.Request();
        try
        {
            return _inner.ReadLink(inode, destination, out length);
        }
        catch (Exception e) when (e is not FileSystemErrorException)
        {
            throw Fault("READLINK", inode, e);
        }
    }

    /// <inheritdoc/>
    public Errno Read(ulong inode, long offset, int length, ReadReply reply)
    {
        long start = Stopwatch.GetTimestamp();
        int before = reply.Length;
        try
        {
            var errno = _inner.Read(inode, offset, length, reply);
            var elapsed = Counters.Read(reply.Length - before, start);
            _metrics?.ReadCompleted(_name, elapsed);
            return errno;
        }
        catch (Exception e) when (e is not FileSystemErrorException)
        {
            Counters.Request();
            throw Fault("READ", inode, e);
        }
    }

    /// <inheritdoc/>
    public Errno ReadDirectory(ulong inode, long offset, DirectoryListing listing) =>
        ReadDirectory(inode, offset, listing, static e => e.Nid);

    /// <summary>Lists a directory, numbering its entries with <paramref name="inodeOf"/> (see <see cref="ErofsFileSystem"/>).</summary>
    public Errno ReadDirectory(ulong inode, long offset, DirectoryListing listing, Func<DirectoryEntry, ulong> inodeOf)
    {
        Counters.Request();
        try
        {
            return _inner.ReadDirectory(inode, offset, listing, inodeOf);
        }
        catch (Exception e) when (e is not FileSystemErrorException)
        {
            throw Fault("READDIR", inode, e);
        }
    }

    /// <inheritdoc/>
    public Errno GetExtendedAttribute(ulong inode, ReadOnlySpan<byte> name, Span<byte> destination, out int length)
    {
        Counters.Request();
        try
        {
            return _inner.GetExtendedAttribute(inode, name, destination, out length);
        }
        catch (Exception e) when (e is not FileSystemErrorException)
        {
            throw Fault("GETXATTR", inode, e);
        }
    }

    /// <inheritdoc/>
    public Errno ListExtendedAttributes(ulong inode, in RequestCaller caller, Span<byte> destination, out int length)
    {
        Counters.Request();
        try
        {
            return _inner.ListExtendedAttributes(inode, caller, destination, out length);
        }
        catch (Exception e) when (e is not FileSystemErrorException)
        {
            throw Fault("LISTXATTR", inode, e);
        }
    }

    /// <inheritdoc/>
    public FileSystemStatistics GetStatistics()
    {
        try
        {
            return _inner.GetStatistics();
        }
        catch (Exception e) when (e is not FileSystemErrorException)
        {
            throw Fault("STATFS", RootInode, e);
        }
    }

    /// <summary>Counts and logs a failure of this image; returns the EIO to throw.</summary>
    internal FileSystemErrorException Fault(string operation, ulong nid, Exception e)
    {
        Counters.Error();
        long now = Stopwatch.GetTimestamp();
        long suppressed = -1;
        lock (_faultLock)
        {
            if (_lastFaultLog == long.MinValue || Stopwatch.GetElapsedTime(_lastFaultLog, now) >= FaultLogInterval)
            {
                _lastFaultLog = now;
                suppressed = _suppressedFaults;
                _suppressedFaults = 0;
            }
            else
            {
                _suppressedFaults++;
            }
        }
        if (suppressed >= 0)
        {
            var more = suppressed > 0 ? $" ({suppressed} more failure(s) of this image since the last report)" : "";
            _logger.LogError("image {Name} ({Path}): {Operation} of nid {Nid} failed, answered EIO: {Message}{More}",
                _name, _path, operation, nid, e.Message, more);
        }
        return new FileSystemErrorException(Errno.EIO, $"image {_name}: {e.Message}");
    }
}
