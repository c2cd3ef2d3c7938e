using System.Buffers.Binary;
using System.Numerics;

namespace Erofs.Accel.Format;

/// <summary>CRC32C (Castagnoli) update without pre/post inversion, as EROFS uses it (seed ~0, no final xor).</summary>
public static class Crc32C
{
    /// <summary>Folds <paramref name="data"/> into <paramref name="crc"/> (no inversion before or after) and returns the new value.</summary>
    public static uint Update(uint crc, ReadOnlySpan<byte> data)
    {
        while (data.Length >= 8)
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[8..];
        }
        foreach (var b in data)
            crc = BitOperations.Crc32C(crc, b);
        return crc;
    }
}
