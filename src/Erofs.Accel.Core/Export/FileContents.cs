namespace Erofs.Accel.Core.Export;

/// <summary>
/// Reading file contents for whole-tree passes: finds holes (unmapped chunks, null block addresses, hole extents of
/// compressed files) so the passes skip them instead of reading zeros (an extraction seeks over them, a manifest
/// hashes zeros from a shared buffer without reading or decoding), and names the file in read errors.
/// </summary>
internal static class FileContents
{
    /// <summary>A megabyte of zeros, never written: what holes hash as.</summary>
    public static readonly byte[] Zeros = new byte[1 << 20];

    /// <summary>
    /// Length of the hole that starts at <paramref name="offset"/> (0 when data is stored there), at most
    /// <paramref name="limit"/> bytes. Costs one map lookup per chunk or extent crossed.
    /// </summary>
    public static long HoleLength(ErofsImage image, ErofsInode inode, long offset, long limit)
    {
        long size = (long)inode.Size, start = offset, end = limit >= size - offset ? size : offset + limit;
        while (offset < end)
        {
            long run = image.Data.MapRun(inode, offset, out bool hole);
            if (!hole) break;
            offset += Math.Min(run, end - offset);
        }
        return offset - start;
    }

    /// <summary>Reads file data; a corrupt or unreadable pcluster is reported with the path it belongs to.</summary>
    public static int Read(ErofsImage image, ErofsInode inode, long offset, Span<byte> destination, Func<string> path)
    {
        try
        {
            return image.Read(inode, offset, destination);
        }
        catch (ErofsCorruptImageException e)
        {
            throw new ErofsCorruptImageException($"{path()}: {e.Message}", inner: e);
        }
        catch (ErofsIoException e)
        {
            throw new ErofsIoException($"{path()}: {e.Message}", inner: e);
        }
    }
}
