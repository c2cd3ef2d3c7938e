namespace Erofs.Accel.Decompression.Tests.OpenCl;

/// <summary>Writes DEFLATE bit streams by hand (LSB-first fields, MSB-first Huffman codes) to craft bad streams.</summary>
internal sealed class DeflateBitWriter
{
    private readonly List<byte> bytes = new();
    private int bitCount;

    public DeflateBitWriter Bits(uint value, int count)
    {
        for (int i = 0; i < count; i++)
        {
            if (bitCount % 8 == 0) bytes.Add(0);
            if (((value >> i) & 1) != 0) bytes[^1] |= (byte)(1 << (bitCount % 8));
            bitCount++;
        }
        return this;
    }

    /// <summary>A Huffman code: most significant bit first.</summary>
    public DeflateBitWriter Code(uint code, int length)
    {
        for (int i = length - 1; i >= 0; i--) Bits((code >> i) & 1, 1);
        return this;
    }

    /// <summary>Fixed-code literal (0..143 are 8-bit codes 0x30 + value).</summary>
    public DeflateBitWriter FixedLiteral(byte value) => value < 144 ? Code(0x30u + value, 8) : Code(0x190u + (uint)(value - 144), 9);

    /// <summary>Fixed-code length symbol 257..279 (7-bit codes from 0).</summary>
    public DeflateBitWriter FixedLengthSymbol(int symbol) => Code((uint)(symbol - 256), 7);

    /// <summary>Fixed-code distance symbol (5 bits).</summary>
    public DeflateBitWriter FixedDistanceSymbol(int symbol) => Code((uint)symbol, 5);

    public DeflateBitWriter EndOfBlock() => Code(0, 7);

    public byte[] ToArray() => bytes.ToArray();
}
