using System.Buffers.Binary;
using Erofs.Accel.Format;

namespace Erofs.Accel.Fuzz;

/// <summary>
/// Random mutations (bit flips, byte sets, truncation, splices, zeroed ranges) and structured ones (interesting
/// integers written over fields of the structures a <see cref="SeedImage"/> located). The superblock checksum is
/// usually recomputed so that mutations reach past it.
/// </summary>
public static class Mutator
{
    private static readonly ulong[] Interesting =
    {
        0, 1, 2, 7, 8, 0x7F, 0x80, 0xFF, 0x100, 0x7FFF, 0x8000, 0xFFFF, 0x10000, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF,
        0xFFFFFFFFFFFF, 0x8000000000000000, ulong.MaxValue,
    };

    public static byte[] Mutate(SeedImage seed, Random rng, out string description)
    {
        var b = (byte[])seed.Image.Clone();
        int count = 1 + rng.Next(4);
        var what = new List<string>();
        for (int i = 0; i < count; i++) what.Add(MutateOnce(ref b, seed, rng));
        if (rng.Next(10) != 0) Reseal(b);
        description = string.Join("; ", what);
        return b;
    }

    private static string MutateOnce(ref byte[] b, SeedImage seed, Random rng)
    {
        bool structured = seed.Hotspots.Count > 0 && rng.Next(4) != 0;
        long at;
        string where;
        var spot = structured ? seed.Hotspots[rng.Next(seed.Hotspots.Count)] : default;
        if (structured && spot.Offset + spot.Length <= b.Length) // (an earlier truncation may have cut it off)
        {
            at = spot.Offset + rng.Next(spot.Length);
            where = $"{spot.Kind}@{at}";
        }
        else
        {
            at = rng.NextInt64(b.Length);
            where = $"@{at}";
        }
        switch (rng.Next(structured ? 7 : 6))
        {
            case 0:
                b[at] ^= (byte)(1 << rng.Next(8));
                return "bitflip " + where;
            case 1:
                b[at] = (byte)rng.Next(256);
                return "byte " + where;
            case 2:
            {
                if (rng.Next(3) != 0) return MutateOnce(ref b, seed, rng);
                int len = rng.Next(ErofsConstants.SuperblockOffset + 64, b.Length);
                Array.Resize(ref b, len);
                return $"truncate to {len}";
            }
            case 3:
            {
                int len = 1 + rng.Next(64);
                long from = rng.NextInt64(b.Length);
                int n = (int)Math.Min(len, Math.Min(b.Length - from, b.Length - at));
                Array.Copy(b, from, b, at, n);
                return $"splice {n} from {from} to {where}";
            }
            case 4:
            {
                int n = (int)Math.Min(1 + rng.Next(32), b.Length - at);
                Array.Clear(b, (int)at, n);
                return $"zero {n} {where}";
            }
            case 5:
            {
                int n = (int)Math.Min(1 + rng.Next(16), b.Length - at);
                b.AsSpan((int)at, n).Fill(0xFF);
                return $"ones {n} {where}";
            }
            default:
            {
                // an interesting integer over a field-sized, naturally aligned slot
                int width = new[] { 1, 2, 4, 8 }[rng.Next(4)];
                long slot = at & ~(long)(width - 1);
                if (slot + width > b.Length) return MutateOnce(ref b, seed, rng);
                ulong v = Interesting[rng.Next(Interesting.Length)];
                if (rng.Next(4) == 0) v = (ulong)rng.Next(0, 4096);
                var span = b.AsSpan((int)slot, width);
                switch (width)
                {
                    case 1: span[0] = (byte)v; break;
                    case 2: BinaryPrimitives.WriteUInt16LittleEndian(span, (ushort)v); break;
                    case 4: BinaryPrimitives.WriteUInt32LittleEndian(span, (uint)v); break;
                    default: BinaryPrimitives.WriteUInt64LittleEndian(span, v); break;
                }
                return $"u{width * 8}=0x{v:x} {where}";
            }
        }
    }

    /// <summary>Recomputes the superblock checksum when the image has one and is long enough.</summary>
    public static void Reseal(byte[] b)
    {
        if (b.Length < ErofsConstants.SuperblockOffset + 128) return;
        int bits = b[ErofsConstants.SuperblockOffset + 12];
        if (bits is < 9 or > 16) return;
        int len = Superblock.ChecksumLength(bits);
        if (b.Length < ErofsConstants.SuperblockOffset + len) return;
        var region = b.AsSpan(ErofsConstants.SuperblockOffset, len);
        BinaryPrimitives.WriteUInt32LittleEndian(region[4..], 0);
        BinaryPrimitives.WriteUInt32LittleEndian(region[4..], Crc32C.Update(0xFFFFFFFF, region));
    }
}
