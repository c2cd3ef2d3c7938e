using System.Buffers.Binary;

namespace Erofs.Accel.Fuse.TestHost;

/// <summary>
/// The bytes of every synthetic file: a pure function of (inode, offset), so any range can be checked independently and
/// a byte served from the wrong file or offset is caught.
/// </summary>
public static class SyntheticContent
{
    public static byte ByteAt(ulong inode, long offset) => (byte)(Mix(inode, (ulong)offset >> 3) >> (int)((offset & 7) * 8));

    public static void Fill(ulong inode, long offset, Span<byte> destination)
    {
        var i = 0;
        // unaligned head, byte by byte
        while (i < destination.Length && ((offset + i) & 7) != 0)
        {
            destination[i] = ByteAt(inode, offset + i);
            i++;
        }
        // whole 8-byte words, little-endian like ByteAt
        var block = (ulong)(offset + i) >> 3;
        for (; i + 8 <= destination.Length; i += 8, block++)
            BinaryPrimitives.WriteUInt64LittleEndian(destination.Slice(i, 8), Mix(inode, block));
        for (; i < destination.Length; i++) destination[i] = ByteAt(inode, offset + i);
    }

    public static byte[] Range(ulong inode, long offset, int length)
    {
        var result = new byte[length];
        Fill(inode, offset, result);
        return result;
    }

    private static ulong Mix(ulong inode, ulong block)
    {
        var z = (inode * 0x9E3779B97F4A7C15UL) ^ (block + 0x632BE59BD9B4E019UL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
