using Erofs.Accel.Core;
using Erofs.Accel.Service.Metrics;

namespace Erofs.Accel.Service.Images;

/// <summary>Where a served image appears.</summary>
public enum ServeKind
{
    /// <summary>A mount point of its own (<c>erofs-accel mount</c> through the daemon).</summary>
    Mount,
    /// <summary>A folder of the shared namespace (<c>erofs-accel attach</c>).</summary>
    Namespace,
}

/// <summary>
/// An image the daemon serves, opened once and read by many threads. It is reference counted: every request takes a
/// lease (<see cref="TryAcquire"/>), detaching drops the daemon's own reference, and the image (its files and caches)
/// is closed when the last lease ends, so a request running during a detach finishes on an open image and none starts
/// after it.
/// </summary>
public sealed class AttachedImage
{
    private int _references = 1;
    private int _detached;

    internal AttachedImage(int serial, string name, ServeKind kind, string imagePath, IReadOnlyList<string> devices, string domain,
        ErofsImage image, ImageFileSystem fileSystem)
    {
        Serial = serial;
        Name = name;
        Kind = kind;
        ImagePath = imagePath;
        Devices = devices;
        Domain = domain;
        Image = image;
        FileSystem = fileSystem;
        AttachedAt = DateTimeOffset.UtcNow;
    }

    /// <summary>Unique for the daemon's life, never reused (so a stale kernel node of a detached image cannot reach a new one).</summary>
    public int Serial { get; }
    /// <summary>The image's name (namespace folder, handle for detach and umount).</summary>
    public string Name { get; }
    /// <summary>Whether it has a mount point of its own or a folder of the namespace.</summary>
    public ServeKind Kind { get; }
    /// <summary>Absolute path of the image file.</summary>
    public string ImagePath { get; }
    /// <summary>Its extra devices, in device-table order.</summary>
    public IReadOnlyList<string> Devices { get; }
    /// <summary>Sharing domain: files are shared only between images of one domain.</summary>
    public string Domain { get; }
    /// <summary>The open image.</summary>
    public ErofsImage Image { get; }
    /// <summary>The image's filesystem in its own inode numbers (nids), counted and with failures named after the image.</summary>
    public ImageFileSystem FileSystem { get; }
    /// <summary>Requests, reads, bytes and errors served from it.</summary>
    public ImageCounters Counters => FileSystem.Counters;
    /// <summary>When the daemon began serving it.</summary>
    public DateTimeOffset AttachedAt { get; }
    /// <summary>Where the image can be read: its mount point, or its folder of the shared namespace.</summary>
    public string Location { get; internal set; } = "";

    /// <summary>True once it was detached (requests still in flight finish).</summary>
    public bool IsDetached => Volatile.Read(ref _detached) != 0;

    /// <summary>Takes a lease for one request; false once the image is detached and closing.</summary>
    public bool TryAcquire()
    {
        int seen = Volatile.Read(ref _references);
        while (seen > 0 && Volatile.Read(ref _detached) == 0)
        {
            int before = Interlocked.CompareExchange(ref _references, seen + 1, seen);
            if (before == seen) return true;
            seen = before;
        }
        return false;
    }

    /// <summary>Ends a lease; the last one closes the image.</summary>
    public void Release()
    {
        if (Interlocked.Decrement(ref _references) == 0) Image.Dispose();
    }

    /// <summary>Stops new leases and drops the daemon's reference. Safe to call more than once.</summary>
    public void Detach()
    {
        if (Interlocked.Exchange(ref _detached, 1) == 0) Release();
    }
}
