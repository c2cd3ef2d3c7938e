using Erofs.Accel.Fuse.Protocol;
using Erofs.Accel.Interop;

namespace Erofs.Accel.Fuse.Transport;

/// <summary>
/// The /dev/fuse connection: one read(2) returns exactly one request, one writev(2) delivers exactly one reply.
/// Safe to use from many threads at once; the descriptor stays open while any call is inside the kernel.
/// </summary>
internal sealed unsafe class FuseDevice : IDisposable
{
    public const string DevicePath = "/dev/fuse";

    private readonly FileDescriptorHandle _handle;

    public FuseDevice(FileDescriptorHandle handle) => _handle = handle;

    /// <summary>Opens /dev/fuse read-write, close-on-exec.</summary>
    public static FuseDevice Open()
    {
        var fd = Libc.Open(DevicePath, Libc.O_RDWR | Libc.O_CLOEXEC);
        if (fd < 0)
        {
            var error = Libc.LastError;
            throw new FuseMountException($"cannot open {DevicePath}: {Libc.Describe(error)}", error);
        }
        return new FuseDevice(new FileDescriptorHandle(fd));
    }

    public int Descriptor => _handle.Descriptor;

    /// <summary>FUSE_DEV_IOC_CLONE: _IOR(229, 0, uint32_t).</summary>
    private const nuint CloneRequest = 0x8004E500;

    /// <summary>
    /// Opens another descriptor on this connection (FUSE_DEV_IOC_CLONE). Requests are shared by all descriptors of a
    /// connection, but each has its own list of requests in processing, so workers on separate descriptors do not
    /// contend on one lock; a reply must go to the descriptor its request came from.
    /// </summary>
    public bool TryClone(out FuseDevice? clone, out Errno error)
    {
        clone = null;
        var fd = Libc.Open(DevicePath, Libc.O_RDWR | Libc.O_CLOEXEC);
        if (fd < 0)
        {
            error = Libc.LastError;
            return false;
        }
        var added = false;
        try
        {
            _handle.DangerousAddRef(ref added);
            var session = (uint)_handle.Descriptor;
            if (Libc.Ioctl(fd, CloneRequest, &session) != 0)
            {
                error = Libc.LastError;
                Libc.Close(fd);
                return false;
            }
        }
        catch (ObjectDisposedException)
        {
            Libc.Close(fd);
            error = Errno.ENODEV;
            return false;
        }
        finally
        {
            if (added) _handle.DangerousRelease();
        }
        clone = new FuseDevice(new FileDescriptorHandle(fd));
        error = Errno.Success;
        return true;
    }

    /// <summary>
    /// Reads one request. Returns its length, or -1 with <paramref name="error"/> set: ENODEV when the filesystem is
    /// gone (unmounted or aborted), ENOENT/EINTR/EAGAIN for a request that vanished (just read again).
    /// </summary>
    public int ReadRequest(Span<byte> buffer, out Errno error)
    {
        var added = false;
        try
        {
            _handle.DangerousAddRef(ref added);
            fixed (byte* pointer = buffer)
            {
                var result = Libc.Read(_handle.Descriptor, pointer, (nuint)buffer.Length);
                if (result < 0)
                {
                    error = Libc.LastError;
                    return -1;
                }
                error = Errno.Success;
                return (int)result;
            }
        }
        catch (ObjectDisposedException)
        {
            error = Errno.ENODEV;
            return -1;
        }
        finally
        {
            if (added) _handle.DangerousRelease();
        }
    }

    /// <summary>Writes one reply made of <paramref name="pieces"/>. ENOENT means the request was interrupted meanwhile.</summary>
    public Errno WriteReply(ReadOnlySpan<IoVector> pieces)
    {
        var added = false;
        try
        {
            _handle.DangerousAddRef(ref added);
            fixed (IoVector* vectors = pieces)
            {
                while (true)
                {
                    var result = Libc.WriteV(_handle.Descriptor, vectors, pieces.Length);
                    if (result >= 0) return Errno.Success;
                    var error = Libc.LastError;
                    if (error != Errno.EINTR) return error;
                }
            }
        }
        catch (ObjectDisposedException)
        {
            return Errno.ENODEV;
        }
        finally
        {
            if (added) _handle.DangerousRelease();
        }
    }

    public void Dispose() => _handle.Dispose();
}
