using Erofs.Accel.Interop;
using Microsoft.Win32.SafeHandles;

namespace Erofs.Accel.Core.Storage;

/// <summary>What a <see cref="FileSource"/> reads from.</summary>
public enum FileSourceKind
{
    /// <summary>A regular file: its size comes from stat.</summary>
    RegularFile,
    /// <summary>A block device (a loop device, a partition): its size comes from BLKGETSIZE64.</summary>
    BlockDevice,
}

/// <summary>
/// A regular file or a block device read with positional reads (pread); safe for concurrent use. Anything that cannot
/// be read at random offsets (a pipe or FIFO, a character device, a socket, a directory) is refused with a one-line
/// reason before it is opened, so a FIFO with no writer cannot block the caller.
/// </summary>
public sealed unsafe class FileSource : IRandomAccessSource
{
    private readonly SafeFileHandle _handle;
    private readonly bool _ownsHandle = true;

    /// <inheritdoc/>
    public long Length { get; }
    /// <inheritdoc/>
    public string Description { get; }
    /// <summary>Whether it reads a regular file or a block device.</summary>
    public FileSourceKind Kind { get; }

    /// <summary>Opens <paramref name="path"/> for reading; throws <see cref="ErofsIoException"/> with the reason when it is missing, unreadable, or not a regular file or block device.</summary>
    public FileSource(string path)
    {
        Description = path;
        Kind = Classify(path, follow: true);
        // O_NONBLOCK: should the path be swapped for a FIFO after the check above, open still returns at once
        int fd = Libc.Open(path, Libc.O_RDONLY | Libc.O_CLOEXEC | Libc.O_NONBLOCK);
        if (fd < 0) throw OpenError(path, Libc.LastErrno);
        _handle = new SafeFileHandle(fd, ownsHandle: true);
        try
        {
            var opened = Stat(fd, path);
            if (KindOf(opened.Mode, path) != Kind) throw new ErofsIoException($"{path}: changed while it was being opened");
            int flags = Libc.Fcntl(fd, Libc.F_GETFL, 0);
            if (flags >= 0) Libc.Fcntl(fd, Libc.F_SETFL, flags & ~Libc.O_NONBLOCK);
            Length = Kind == FileSourceKind.BlockDevice ? BlockDeviceSize(fd, path) : (long)opened.Size;
        }
        catch
        {
            _handle.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Reads an already open regular file or block device (for example one opened with
    /// <see cref="File.OpenHandle"/>, or inherited from another process). The handle must be readable at random offsets;
    /// anything else is refused like a path is. It is closed on <see cref="Dispose"/> only when
    /// <paramref name="ownsHandle"/> is set.
    /// </summary>
    /// <param name="description">Names the file in messages (null: "file descriptor N").</param>
    public FileSource(SafeFileHandle handle, string? description = null, bool ownsHandle = false)
    {
        ArgumentNullException.ThrowIfNull(handle);
        if (handle.IsInvalid || handle.IsClosed) throw new ArgumentException("the file handle is closed or invalid", nameof(handle));
        int fd = (int)handle.DangerousGetHandle();
        Description = description ?? $"file descriptor {fd}";
        _handle = handle;
        _ownsHandle = ownsHandle;
        try
        {
            var opened = Stat(fd, Description);
            Kind = KindOf(opened.Mode, Description);
            Length = Kind == FileSourceKind.BlockDevice ? BlockDeviceSize(fd, Description) : (long)opened.Size;
        }
        catch
        {
            if (ownsHandle) handle.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A second source over the same open file with a descriptor of its own (opened again through /proc/self/fd, so
    /// the file may have been renamed or unlinked meanwhile), or null where that cannot be done (no /proc). The kernel
    /// keeps readahead state per open file: reads that form two streams, such as metadata and file data, each keep
    /// theirs when they go through their own descriptor, where through one they break each other's.
    /// </summary>
    public FileSource? TryOpenSecondDescriptor()
    {
        int fd = Libc.Open($"/proc/self/fd/{(int)_handle.DangerousGetHandle()}", Libc.O_RDONLY | Libc.O_CLOEXEC);
        if (fd < 0) return null;
        var handle = new SafeFileHandle(fd, ownsHandle: true);
        try
        {
            var second = new FileSource(handle, Description, ownsHandle: true);
            if (second.Length == Length && second.Kind == Kind) return second;
            second.Dispose();
            return null;
        }
        catch (ErofsException)
        {
            handle.Dispose();
            return null;
        }
    }

    /// <summary>
    /// What <paramref name="path"/> is, as a source of image bytes; throws <see cref="ErofsIoException"/> with the
    /// reason for anything that is neither a regular file nor a block device. Never opens the path.
    /// </summary>
    public static FileSourceKind Classify(string path, bool follow = true)
    {
        Libc.StatxBuffer st;
        if (Libc.Statx(Libc.AT_FDCWD, path, follow ? 0 : Libc.AT_SYMLINK_NOFOLLOW, Libc.STATX_TYPE | Libc.STATX_SIZE, &st) != 0)
            throw OpenError(path, Libc.LastErrno);
        return KindOf(st.Mode, path);
    }

    private static FileSourceKind KindOf(uint mode, string path) => (mode & Libc.S_IFMT) switch
    {
        Libc.S_IFREG => FileSourceKind.RegularFile,
        Libc.S_IFBLK => FileSourceKind.BlockDevice,
        Libc.S_IFDIR => throw new ErofsIoException($"{path}: is a directory, not an image file"),
        Libc.S_IFIFO => throw new ErofsIoException(
            $"{path}: is a pipe (FIFO), which cannot be read at random offsets: copy the image to a file first"),
        Libc.S_IFCHR => throw new ErofsIoException(
            $"{path}: is a character device, which cannot be read at random offsets: give a regular file or a block device"),
        Libc.S_IFSOCK => throw new ErofsIoException($"{path}: is a socket, not an image file"),
        _ => throw new ErofsIoException($"{path}: is not a regular file or a block device"),
    };

    private static Libc.StatxBuffer Stat(int fd, string path)
    {
        Libc.StatxBuffer st;
        if (Libc.Statx(fd, "", Libc.AT_EMPTY_PATH, Libc.STATX_TYPE | Libc.STATX_SIZE, &st) != 0)
            throw new ErofsIoException($"{path}: {Libc.Describe(Libc.LastErrno)}");
        return st;
    }

    private static long BlockDeviceSize(int fd, string path)
    {
        ulong size;
        if (Libc.IoctlGetSize(fd, Libc.BLKGETSIZE64, &size) != 0)
            throw new ErofsIoException($"{path}: cannot read the size of the block device: {Libc.Describe(Libc.LastErrno)}");
        return size > long.MaxValue ? long.MaxValue : (long)size;
    }

    private static ErofsIoException OpenError(string path, int errno) => errno switch
    {
        Libc.ENOENT => new ErofsIoException($"{path}: no such file"),
        Libc.ENOTDIR => new ErofsIoException($"{path}: no such file or directory"),
        Libc.EACCES or Libc.EPERM => new ErofsIoException($"{path}: permission denied"),
        _ => new ErofsIoException($"{path}: {Libc.Describe(errno)}"),
    };

    /// <inheritdoc/>
    public int Read(long offset, Span<byte> buffer)
    {
        int total = 0;
        try
        {
            while (total < buffer.Length)
            {
                int n = RandomAccess.Read(_handle, buffer[total..], offset + total);
                if (n <= 0) break;
                total += n;
            }
        }
        catch (IOException e)
        {
            throw new ErofsIoException($"{Description}: read failed: {e.Message}", offset, e);
        }
        return total;
    }

    /// <summary>Closes the file, unless the handle was given with ownsHandle false.</summary>
    public void Dispose()
    {
        if (_ownsHandle) _handle.Dispose();
    }
}
