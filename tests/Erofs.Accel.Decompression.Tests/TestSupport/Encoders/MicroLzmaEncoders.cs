namespace Erofs.Accel.Decompression.Tests.TestSupport.Encoders;

/// <summary>MicroLZMA encoders over liblzma's <c>lzma_microlzma_encoder</c> (whole input, or EROFS-style fixed output).</summary>
public static unsafe class MicroLzmaEncoders
{
    public static IEnumerable<StreamEncoder> All()
    {
        var p = new DecodeParameters();
        yield return new("lzma-p6-d64k", CompressionAlgorithm.MicroLzma, 256 << 10, p with { LzmaDictionarySize = 64 << 10 },
            input => Encode(input, 6, 64 << 10, int.MaxValue), LiblzmaCompress.LibraryName);
        yield return new("lzma-p1-d8m", CompressionAlgorithm.MicroLzma, 1 << 20, p,
            input => Encode(input, 1, DecodeParameters.DefaultLzmaDictionarySize, int.MaxValue), LiblzmaCompress.LibraryName);
        yield return new("lzma-p6-d32k-fixed4k", CompressionAlgorithm.MicroLzma, 1 << 20, p with { LzmaDictionarySize = 32 << 10 },
            input => Encode(input, 6, 32 << 10, 4096), LiblzmaCompress.LibraryName);
    }

    /// <summary>
    /// Encodes as much of <paramref name="input"/> as fits into <paramref name="outputLimit"/> bytes, with the preset's
    /// literal context, literal position and position bits unless <paramref name="lcLpPb"/> gives them.
    /// </summary>
    public static EncodedStream Encode(byte[] input, uint preset, int dictionarySize, int outputLimit, (int Lc, int Lp, int Pb)? lcLpPb = null)
    {
        byte* options = stackalloc byte[256];
        new Span<byte>(options, 256).Clear();
        if (LiblzmaCompress.LzmaPreset(options, preset) != 0) throw new InvalidOperationException("lzma_lzma_preset failed");
        *(uint*)options = (uint)dictionarySize; // lzma_options_lzma.dict_size is the first field
        if (lcLpPb is var (lc, lp, pb))
        {
            // then preset_dict (8), preset_dict_size (16), lc (20), lp (24), pb (28)
            *(uint*)(options + 20) = (uint)lc;
            *(uint*)(options + 24) = (uint)lp;
            *(uint*)(options + 28) = (uint)pb;
        }

        LiblzmaCompress.Stream stream = default;
        int init = LiblzmaCompress.MicroLzmaEncoder(&stream, options);
        if (init != 0) throw new InvalidOperationException($"lzma_microlzma_encoder failed: {init}");
        try
        {
            var output = new byte[(int)Math.Min(outputLimit, input.Length + input.Length / 2 + 256L)];
            fixed (byte* src = input)
            fixed (byte* dst = output)
            {
                stream.NextIn = src;
                stream.AvailIn = (nuint)input.Length;
                stream.NextOut = dst;
                stream.AvailOut = (nuint)output.Length;
                int ret = LiblzmaCompress.Code(&stream, LiblzmaCompress.ActionFinish);
                if (ret != LiblzmaCompress.StreamEnd) throw new InvalidOperationException($"MicroLZMA encode failed: {ret}");
            }
            if (stream.TotalIn == 0) throw new InvalidOperationException("MicroLZMA encoder took no input");
            return new(output[..(int)stream.TotalOut], (int)stream.TotalIn);
        }
        finally
        {
            LiblzmaCompress.End(&stream);
        }
    }
}
