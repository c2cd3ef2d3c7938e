using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;

namespace Erofs.Accel.Format;

/// <summary>Short xattr name prefixes (e_name_index 1..6) and helpers for names, entries and the bloom filter.</summary>
public static class XattrFormat
{
    /// <summary>e_name_index of "user." names.</summary>
    public const int IndexUser = 1;
    /// <summary>e_name_index of "system.posix_acl_access".</summary>
    public const int IndexPosixAclAccess = 2;
    /// <summary>e_name_index of "system.posix_acl_default".</summary>
    public const int IndexPosixAclDefault = 3;
    /// <summary>e_name_index of "trusted." names.</summary>
    public const int IndexTrusted = 4;
    /// <summary>e_name_index of "lustre." names.</summary>
    public const int IndexLustre = 5;
    /// <summary>e_name_index of "security." names.</summary>
    public const int IndexSecurity = 6;
    /// <summary>e_name_index bit 7: the low 7 bits select a long prefix instead of a short one.</summary>
    public const byte LongPrefixFlag = 0x80;
    /// <summary>Seed of the xattr name bloom filter hash (xxHash32 seed plus the prefix index).</summary>
    public const uint FilterSeed = 0x25BBE08F;
    /// <summary>Bits in an inode's xattr name bloom filter.</summary>
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

    /// <summary>A name as text for messages (invalid UTF-8 as U+FFFD).</summary>
    public static string Describe(ReadOnlySpan<byte> name) => Encoding.UTF8.GetString(name);
}

/// <summary>The 4-byte header of an xattr entry.</summary>
public readonly struct XattrEntryHeader
{
    /// <summary>e_name_len: bytes of the name after its prefix.</summary>
    public int NameLength { get; init; }
    /// <summary>e_name_index: short prefix index, or long prefix index with <see cref="XattrFormat.LongPrefixFlag"/>.</summary>
    public byte NameIndex { get; init; }
    /// <summary>e_value_size: bytes of the value.</summary>
    public int ValueSize { get; init; }
    /// <summary>Bytes of the whole entry, padded to 4.</summary>
    public int TotalSize => XattrFormat.EntrySize(NameLength, ValueSize);
    /// <summary>True when the name uses a long prefix.</summary>
    public bool IsLongPrefix => (NameIndex & XattrFormat.LongPrefixFlag) != 0;
    /// <summary>Index of the long prefix (with <see cref="IsLongPrefix"/>).</summary>
    public int LongPrefixIndex => NameIndex & 0x7F;

    /// <summary>Decodes the first 4 bytes of <paramref name="raw"/>.</summary>
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
