using System.Buffers.Binary;

namespace Erofs.Accel.Format;

/// <summary>One 128-byte entry of the device table.</summary>
public readonly record struct DeviceSlot(byte[] Tag, ulong Blocks, ulong UnifiedStartBlock)
{
    /// <summary>Decodes one 128-byte device-table slot; <paramref name="is48Bit"/> reads the high bits of the block count.</summary>
    public static DeviceSlot Parse(ReadOnlySpan<byte> raw, bool is48Bit)
    {
        ulong blocks = BinaryPrimitives.ReadUInt32LittleEndian(raw[64..]);
        ulong uni = BinaryPrimitives.ReadUInt32LittleEndian(raw[68..]);
        if (is48Bit)
        {
            blocks |= (ulong)BinaryPrimitives.ReadUInt16LittleEndian(raw[72..]) << 32;
            uni |= (ulong)BinaryPrimitives.ReadUInt16LittleEndian(raw[74..]) << 32;
        }
        return new DeviceSlot(raw[..64].ToArray(), blocks, uni);
    }

    /// <summary>The tag as text when it is printable (blob ids, digests), else hex; empty when all zero.</summary>
    public string TagText
    {
        get
        {
            int n = Array.IndexOf(Tag, (byte)0);
            var used = n < 0 ? Tag : Tag[..n];
            if (used.Length == 0) return "";
            foreach (var b in used)
                if (b < 0x20 || b > 0x7E) return Convert.ToHexStringLower(Tag).TrimEnd('0');
            return System.Text.Encoding.ASCII.GetString(used);
        }
    }
}
