using Microsoft.Win32.SafeHandles;

namespace Erofs.Accel.Core.Storage;

/// <summary>A file read with positional reads (pread); safe for concurrent use.</summary>
public sealed class FileSource : IRandomAccessSource
{
    private readonly SafeFileHandle _handle;

    public long Length { get; }
    public string Description { get; }

    public FileSource(string path)
    {
        Description = path;
        try
        {
            // not FileOptions.RandomAccess: that turns off the kernel's readahead, and pclusters are mostly read in order
            _handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.None);
            Length = RandomAccess.GetLength(_handle);
        }
        catch (FileNotFoundException) { throw new ErofsIoException($"{path}: no such file"); }
        catch (DirectoryNotFoundException) { throw new ErofsIoException($"{path}: no such file or directory"); }
        catch (UnauthorizedAccessException) { throw new ErofsIoException($"{path}: permission denied"); }
        catch (IOException e) { throw new ErofsIoException($"{path}: {e.Message}"); }
    }

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

    public void Dispose() => _handle.Dispose();
}
