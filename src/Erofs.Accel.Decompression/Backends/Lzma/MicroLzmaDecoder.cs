using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Erofs.Accel.Decompression.Backends.Lzma;

/// <summary>
/// A MicroLZMA decoder in managed code. MicroLZMA is raw LZMA1 without a header or an end marker: the first byte of
/// the range-coded data (always 0 in LZMA) holds the bitwise negation of the properties byte (lc, lp, pb); the
/// compressed and decoded sizes and the dictionary size come from outside. Decoding writes into the output buffer,
/// which is also the dictionary (the whole decoded prefix stays reachable).
/// <para>
/// End rules, as the Linux decoder (xz_dec_microlzma_run) applies them: a full decode ends after exactly the output
/// length with no match running past it, the range coder finished (code 0) after its final normalisation, and every
/// input byte consumed; a partial decode stops when the output is full. A match reaching before the first byte or
/// further back than the dictionary, a properties byte out of range (lc + lp &gt; 4, pb &gt; 4), an end marker or input
/// that runs out are corrupt data. Work is bounded by the output length (every symbol writes at least one byte).
/// </para>
/// </summary>
internal static class MicroLzmaDecoder
{
    // Probability model: 11-bit probabilities, adapted by 1/32 per bit.
    private const int ProbabilityBits = 11;
    private const ushort ProbabilityInitial = 1 << (ProbabilityBits - 1);
    private const int MoveBits = 5;
    private const uint TopValue = 1u << 24;

    private const int States = 12;
    private const int PositionStatesMax = 1 << 4;
    private const int LengthLowSymbols = 8, LengthMidSymbols = 8, LengthHighSymbols = 256;
    private const int MatchLengthMin = 2;
    private const int DistanceStates = 4;
    private const int DistanceSlots = 64;
    private const int DistanceModelStart = 4, DistanceModelEnd = 14;
    private const int FullDistances = 1 << (DistanceModelEnd >> 1);
    private const int AlignBits = 4;
    private const int LiteralCoderSize = 0x300;
    private const int LiteralStatesMax = 1 << 4; // lc + lp <= 4

    // Offsets of each model in one probability array.
    private const int IsMatch = 0;
    private const int IsRep = IsMatch + States * PositionStatesMax;
    private const int IsRepG0 = IsRep + States;
    private const int IsRepG1 = IsRepG0 + States;
    private const int IsRepG2 = IsRepG1 + States;
    private const int IsRep0Long = IsRepG2 + States;
    private const int DistanceSlot = IsRep0Long + States * PositionStatesMax;
    private const int DistanceSpecial = DistanceSlot + DistanceStates * DistanceSlots;
    private const int DistanceAlign = DistanceSpecial + FullDistances - DistanceModelEnd;
    private const int MatchLength = DistanceAlign + (1 << AlignBits);
    private const int RepLength = MatchLength + LengthModel.Size;
    private const int Literal = RepLength + LengthModel.Size;
    private const int ProbabilitiesMax = Literal + LiteralCoderSize * LiteralStatesMax;

    /// <summary>Offsets inside one length model.</summary>
    private static class LengthModel
    {
        public const int Choice = 0, Choice2 = 1, Low = 2;
        public const int Mid = Low + PositionStatesMax * LengthLowSymbols;
        public const int High = Mid + PositionStatesMax * LengthMidSymbols;
        public const int Size = High + LengthHighSymbols;
    }

    /// <summary>
    /// Decodes <paramref name="source"/> into all of <paramref name="output"/>. <paramref name="exact"/>: the stream
    /// must end exactly there (a full decode); otherwise decoding stops when the output is full (a partial decode).
    /// </summary>
    public static DecodeStatus Decode(ReadOnlySpan<byte> source, Span<byte> output, uint dictionarySize, bool exact)
    {
        if (source.Length < 5) return DecodeStatus.CorruptData;
        if (!TryParseProperties((byte)~source[0], out int lc, out int lp, out int pb)) return DecodeStatus.CorruptData;
        int count = Literal + (LiteralCoderSize << (lc + lp));
        var probabilities = ArrayPool<ushort>.Shared.Rent(count);
        try
        {
            var p = probabilities.AsSpan(0, count);
            p.Fill(ProbabilityInitial);
            var decoder = new Decoder(source, output, p, lc, lp, pb, dictionarySize);
            return decoder.Run(exact);
        }
        finally
        {
            ArrayPool<ushort>.Shared.Return(probabilities);
        }
    }

    /// <summary>The properties byte: (pb * 5 + lp) * 9 + lc, with lc + lp &lt;= 4 and pb &lt;= 4 (as MicroLZMA allows).</summary>
    internal static bool TryParseProperties(byte properties, out int lc, out int lp, out int pb)
    {
        int v = properties;
        pb = v / 45;
        v -= pb * 45;
        lp = v / 9;
        lc = v - lp * 9;
        return pb <= 4 && lc + lp <= 4;
    }

    private ref struct Decoder
    {
        private readonly ReadOnlySpan<byte> _in;
        private readonly Span<byte> _out;
        private readonly Span<ushort> _p;
        private readonly int _lc, _literalPositionMask, _positionMask;
        private readonly uint _dictionarySize;
        private int _inPos;
        private uint _range, _code;
        private bool _overrun;

        public Decoder(ReadOnlySpan<byte> source, Span<byte> output, Span<ushort> probabilities, int lc, int lp, int pb, uint dictionarySize)
        {
            _in = source;
            _out = output;
            _p = probabilities;
            _lc = lc;
            _literalPositionMask = (1 << lp) - 1;
            _positionMask = (1 << pb) - 1;
            _dictionarySize = dictionarySize;
            // the range coder starts with five bytes, the first of which (here the properties byte) it ignores
            _code = BinaryPrimitives.ReadUInt32BigEndian(source[1..5]);
            _range = uint.MaxValue;
            _inPos = 5;
        }

        public DecodeStatus Run(bool exact)
        {
            var output = _out;
            int pos = 0, end = output.Length;
            int state = 0;
            uint rep0 = 0, rep1 = 0, rep2 = 0, rep3 = 0; // distances less one
            int pendingLength = 0;
            while (pos < end)
            {
                int posState = pos & _positionMask;
                if (Bit(IsMatch + (state << 4) + posState) == 0)
                {
                    output[pos] = DecodeLiteral(pos, state, rep0);
                    pos++;
                    state = state < 4 ? 0 : state < 10 ? state - 3 : state - 6;
                }
                else
                {
                    int length;
                    if (Bit(IsRep + state) == 0)
                    {
                        length = DecodeLength(MatchLength, posState);
                        state = state < 7 ? 7 : 10;
                        uint distance = DecodeDistance(length);
                        if (distance == uint.MaxValue) return DecodeStatus.CorruptData; // end marker: MicroLZMA has none
                        rep3 = rep2;
                        rep2 = rep1;
                        rep1 = rep0;
                        rep0 = distance;
                    }
                    else
                    {
                        if (Bit(IsRepG0 + state) == 0)
                        {
                            if (Bit(IsRep0Long + (state << 4) + posState) == 0)
                            {
                                // a single byte at the last distance
                                state = state < 7 ? 9 : 11;
                                if (rep0 >= (uint)pos || rep0 >= _dictionarySize) return DecodeStatus.CorruptData;
                                output[pos] = output[pos - (int)rep0 - 1];
                                pos++;
                                if (_overrun) return DecodeStatus.CorruptData;
                                continue;
                            }
                        }
                        else
                        {
                            uint distance;
                            if (Bit(IsRepG1 + state) == 0) distance = rep1;
                            else
                            {
                                if (Bit(IsRepG2 + state) == 0) distance = rep2;
                                else
                                {
                                    distance = rep3;
                                    rep3 = rep2;
                                }
                                rep2 = rep1;
                            }
                            rep1 = rep0;
                            rep0 = distance;
                        }
                        length = DecodeLength(RepLength, posState);
                        state = state < 7 ? 8 : 11;
                    }
                    if (rep0 >= (uint)pos || rep0 >= _dictionarySize) return DecodeStatus.CorruptData;
                    int copy = Math.Min(length, end - pos);
                    pendingLength = length - copy;
                    CopyMatch(output, pos, (int)rep0 + 1, copy);
                    pos += copy;
                }
                if (_overrun) return DecodeStatus.CorruptData;
            }
            if (!exact) return DecodeStatus.Done;
            // the range coder is left normalised, so the stream's last byte has been read
            Normalize();
            return !_overrun && pendingLength == 0 && _code == 0 && _inPos == _in.Length ? DecodeStatus.Done : DecodeStatus.CorruptData;
        }

        private static void CopyMatch(Span<byte> output, int pos, int distance, int length)
        {
            if (distance >= length)
            {
                output.Slice(pos - distance, length).CopyTo(output.Slice(pos, length));
                return;
            }
            // overlapping: the match repeats its own output
            for (int i = 0; i < length; i++) output[pos + i] = output[pos - distance + i];
        }

        private byte DecodeLiteral(int pos, int state, uint rep0)
        {
            int previous = pos > 0 ? _out[pos - 1] : 0;
            int coder = Literal + LiteralCoderSize * (((pos & _literalPositionMask) << _lc) + (previous >> (8 - _lc)));
            uint symbol = 1;
            if (state >= 7)
            {
                // after a match: the byte at the match distance steers the model until the first differing bit
                uint matchByte = (uint)_out[pos - (int)rep0 - 1];
                uint offset = 0x100;
                do
                {
                    matchByte <<= 1;
                    uint matchBit = matchByte & offset;
                    if (Bit(coder + (int)(offset + matchBit + symbol)) == 0)
                    {
                        symbol <<= 1;
                        offset &= ~matchBit;
                    }
                    else
                    {
                        symbol = (symbol << 1) | 1;
                        offset &= matchBit;
                    }
                } while (symbol < 0x100);
            }
            else
            {
                while (symbol < 0x100) symbol = (symbol << 1) | Bit(coder + (int)symbol);
            }
            return (byte)symbol;
        }

        /// <summary>A match length (2 to 273) from the model at <paramref name="model"/>.</summary>
        private int DecodeLength(int model, int posState)
        {
            if (Bit(model + LengthModel.Choice) == 0)
                return MatchLengthMin + Tree(model + LengthModel.Low + posState * LengthLowSymbols, 3);
            if (Bit(model + LengthModel.Choice2) == 0)
                return MatchLengthMin + LengthLowSymbols + Tree(model + LengthModel.Mid + posState * LengthMidSymbols, 3);
            return MatchLengthMin + LengthLowSymbols + LengthMidSymbols + Tree(model + LengthModel.High, 8);
        }

        /// <summary>A match distance less one; uint.MaxValue is the end marker.</summary>
        private uint DecodeDistance(int length)
        {
            int distanceState = Math.Min(length - MatchLengthMin, DistanceStates - 1);
            uint slot = (uint)Tree(DistanceSlot + distanceState * DistanceSlots, 6);
            if (slot < DistanceModelStart) return slot;
            int directBits = (int)(slot >> 1) - 1;
            uint distance = (2 | (slot & 1)) << directBits;
            if (slot < DistanceModelEnd)
                return distance + ReverseTree(DistanceSpecial + (int)distance - (int)slot - 1, directBits);
            distance += Direct(directBits - AlignBits) << AlignBits;
            return distance + ReverseTree(DistanceAlign, AlignBits);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void Normalize()
        {
            if (_range >= TopValue) return;
            _range <<= 8;
            if (_inPos < _in.Length) _code = (_code << 8) | _in[_inPos];
            else
            {
                _overrun = true; // past the compressed size: corrupt, reported by the caller
                _code <<= 8;
            }
            _inPos++;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private uint Bit(int index)
        {
            Normalize();
            ref ushort probability = ref _p[index];
            uint bound = (_range >> ProbabilityBits) * probability;
            if (_code < bound)
            {
                _range = bound;
                probability += (ushort)(((1 << ProbabilityBits) - probability) >> MoveBits);
                return 0;
            }
            _range -= bound;
            _code -= bound;
            probability -= (ushort)(probability >> MoveBits);
            return 1;
        }

        /// <summary>A <paramref name="bits"/>-bit symbol, most significant bit first.</summary>
        private int Tree(int model, int bits)
        {
            uint symbol = 1;
            for (int i = 0; i < bits; i++) symbol = (symbol << 1) | Bit(model + (int)symbol);
            return (int)(symbol - (1u << bits));
        }

        /// <summary>A <paramref name="bits"/>-bit value, least significant bit first.</summary>
        private uint ReverseTree(int model, int bits)
        {
            uint symbol = 1, value = 0;
            for (int i = 0; i < bits; i++)
            {
                uint bit = Bit(model + (int)symbol);
                symbol = (symbol << 1) | bit;
                value |= bit << i;
            }
            return value;
        }

        /// <summary><paramref name="bits"/> bits of even probability.</summary>
        private uint Direct(int bits)
        {
            uint value = 0;
            for (int i = 0; i < bits; i++)
            {
                Normalize();
                _range >>= 1;
                uint bit = _code >= _range ? 1u : 0u;
                if (bit != 0) _code -= _range;
                value = (value << 1) | bit;
            }
            return value;
        }
    }
}
