using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;

namespace Erofs.Accel.Format;

/// <summary>Short xattr name prefixes (e_name_index 1..6) and helpers for names, entries and the bloom filter.</summary>
public static class XattrFormat
{
    public const int IndexUser = 1;
    public const int IndexPosixAclAccess = 2;
    public const int IndexPosixAclDefault = 3;
    public const int IndexTrusted = 4;
    public const int IndexLustre = 5;
    public const int IndexSecurity = 6;
    public const byte LongPrefixFlag = 0x80;
    public const uint FilterSeed = 0x25BBE08F;
    public const int FilterBits = 32;

    private static readonly byte[][] Prefixes =
    {
        Array.Empty<byte>(),
        "user."u8.ToArray(),
        "system.posix_acl_access"u8.ToArray(),
        "system.posix_acl_default"u8.ToArray(),
        "trusted."u8.ToArray(),
        Array.Empty<byte>(),
        "security."u8.ToArray(),
    };

    /// <summary>The prefix bytes of a short index, or an empty span for 0, lustre and unknown indexes.</summary>
    public static ReadOnlySpan<byte> ShortPrefix(int index) => index is > 0 and < 7 ? Prefixes[index] : ReadOnlySpan<byte>.Empty;

    /// <summary>True for short indexes whose names are visible to listxattr/getxattr.</summary>
    public static bool IsKnownShortIndex(int index) => index is IndexUser or IndexPosixAclAccess or IndexPosixAclDefault or IndexTrusted or IndexSecurity;

    /// <summary>
    /// Splits a full xattr name into its short prefix index and the rest, as the kernel's handlers do.
    /// Returns false for names no handler accepts (then no such xattr can exist).
    /// </summary>
    public static bool TrySplitName(ReadOnlySpan<byte> name, out int index, out ReadOnlySpan<byte> rest)
    {
        for (int i = 1; i < Prefixes.Length; i++)
        {
            var p = Prefixes[i];
            if (p.Length == 0 || !name.StartsWith(p)) continue;
            if (i is IndexPosixAclAccess or IndexPosixAclDefault)
            {
                if (name.Length != p.Length) continue;
            }
            else if (name.Length == p.Length) continue; // "user." alone names nothing
            index = i;
            rest = name[p.Length..];
            return true;
        }
        index = 0;
        rest = default;
        return false;
    }

    /// <summary>Bit of the inode's name filter that a name hashes to.</summary>
    public static int FilterBit(int baseIndex, ReadOnlySpan<byte> nameAfterShortPrefix) =>
        (int)(XxHash32.HashToUInt32(nameAfterShortPrefix, unchecked((int)(FilterSeed + (uint)baseIndex))) & (FilterBits - 1));

    /// <summary>Padded size of an xattr entry with these lengths.</summary>
    public static int EntrySize(int nameLength, int valueSize) => (ErofsConstants.XattrEntryHeaderSize + nameLength + valueSize + 3) & ~3;

    public static string Describe(ReadOnlySpan<byte> name) => Encoding.UTF8.GetString(name);
}

/// <summary>The 4-byte header of an xattr entry.</summary>
public readonly struct XattrEntryHeader
{
    public int NameLength { get; init; }
    public byte NameIndex { get; init; }
    public int ValueSize { get; init; }
    public int TotalSize => XattrFormat.EntrySize(NameLength, ValueSize);
    public bool IsLongPrefix => (NameIndex & XattrFormat.LongPrefixFlag) != 0;
    public int LongPrefixIndex => NameIndex & 0x7F;

    public static XattrEntryHeader Parse(ReadOnlySpan<byte> raw) => new()
    {
        NameLength = raw[0],
        NameIndex = raw[1],
        ValueSize = BinaryPrimitives.ReadUInt16LittleEndian(raw[2..]),
    };
}

/// <summary>A long xattr name prefix record: a short base prefix plus an infix.</summary>
public sealed record XattrLongPrefix(int BaseIndex, byte[] Infix)
{
    /// <summary>Parses one record payload (after its u16 length).</summary>
    public static XattrLongPrefix Parse(ReadOnlySpan<byte> payload, long position)
    {
        if (payload.Length < 1 || payload.Length > ErofsConstants.MaxNameLength + 1)
            throw new ErofsCorruptImageException($"long xattr prefix record has bad length {payload.Length}", position);
        return new XattrLongPrefix(payload[0], payload[1..].ToArray());
    }
}
