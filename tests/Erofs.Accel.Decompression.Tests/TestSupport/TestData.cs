namespace Erofs.Accel.Decompression.Tests.TestSupport;

/// <summary>Flavours of generated input data.</summary>
public enum DataKind
{
    /// <summary>Word-based text with numbers, punctuation and line breaks (compresses well, like logs and sources).</summary>
    Text,

    /// <summary>Uniformly random bytes (incompressible: encoders fall back to literals / stored blocks).</summary>
    Random,

    /// <summary>All zero bytes (long matches, extreme ratios).</summary>
    Zeros,

    /// <summary>Alternating runs of text, random, zeros and short repeating patterns.</summary>
    Mixed,
}

/// <summary>Deterministic test and benchmark data (same seed, same bytes).</summary>
public static class TestData
{
    private static readonly string[] Words =
    [
        "the", "erofs", "block", "cluster", "inode", "read", "only", "image", "compressed", "data", "kernel", "fuse",
        "decoder", "window", "match", "literal", "offset", "length", "error", "warning", "info", "debug", "mount",
        "superblock", "directory", "xattr", "value", "device", "stream", "frame", "bytes", "request", "=", "{", "}",
        "return", "if", "else", "int", "static", "void", "const", "struct", "0x7f", "1024", "4096", "65536",
    ];

    public static readonly DataKind[] AllKinds = [DataKind.Text, DataKind.Random, DataKind.Zeros, DataKind.Mixed];

    public static byte[] Generate(DataKind kind, int length, int seed = 1)
    {
        var data = new byte[length];
        var random = new Random(unchecked(((int)kind + 1) * 1_000_003 ^ length * 7919 ^ seed * 104_729)); // not HashCode: it is salted per process
        switch (kind)
        {
            case DataKind.Text: FillText(data, random); break;
            case DataKind.Random: random.NextBytes(data); break;
            case DataKind.Zeros: break;
            case DataKind.Mixed: FillMixed(data, random); break;
        }
        return data;
    }

    private static void FillText(Span<byte> data, Random random)
    {
        int position = 0, column = 0;
        while (position < data.Length)
        {
            string word = Words[random.Next(Words.Length)];
            if (random.Next(8) == 0) word = random.Next(100000).ToString(System.Globalization.CultureInfo.InvariantCulture);
            foreach (char c in word)
            {
                if (position == data.Length) return;
                data[position++] = (byte)c;
            }
            column += word.Length + 1;
            if (position == data.Length) return;
            char separator = column > 72 || random.Next(20) == 0 ? '\n' : random.Next(12) == 0 ? ',' : ' ';
            if (separator == '\n') column = 0;
            data[position++] = (byte)separator;
        }
    }

    private static void FillMixed(Span<byte> data, Random random)
    {
        Span<byte> patternBuffer = stackalloc byte[16];
        int position = 0;
        while (position < data.Length)
        {
            int run = Math.Min(random.Next(64, 8192), data.Length - position);
            var part = data.Slice(position, run);
            switch (random.Next(4))
            {
                case 0: FillText(part, random); break;
                case 1: random.NextBytes(part); break;
                case 2: part.Clear(); break;
                default:
                    var pattern = patternBuffer[..random.Next(1, 17)];
                    random.NextBytes(pattern);
                    for (int i = 0; i < part.Length; i++) part[i] = pattern[i % pattern.Length];
                    break;
            }
            position += run;
        }
    }
}
