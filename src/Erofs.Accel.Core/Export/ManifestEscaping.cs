using System.Buffers;
using System.Text;

namespace Erofs.Accel.Core.Export;

/// <summary>
/// Escaping used by manifests (the format of shared/tools/erofs-manifest): valid UTF-8 characters are kept, except
/// control bytes, DEL and backslash, which become \t \n \r \\ or \xHH; bytes of invalid UTF-8 become \xHH.
/// </summary>
public static class ManifestEscaping
{
    /// <summary>Raw bytes as manifest text: invalid UTF-8, control bytes, DEL and '\' escaped (also every byte of <paramref name="extraEscaped"/>).</summary>
    public static string Escape(ReadOnlySpan<byte> raw, ReadOnlySpan<byte> extraEscaped = default)
    {
        var sb = new StringBuilder(raw.Length + 8);
        int i = 0;
        while (i < raw.Length)
        {
            byte c = raw[i];
            if (c == (byte)'\\') { sb.Append("\\\\"); i++; continue; }
            if (c == 0x09) { sb.Append("\\t"); i++; continue; }
            if (c == 0x0A) { sb.Append("\\n"); i++; continue; }
            if (c == 0x0D) { sb.Append("\\r"); i++; continue; }
            if (c < 0x20 || c == 0x7F || extraEscaped.Contains(c)) { sb.Append("\\x").Append(c.ToString("x2")); i++; continue; }
            if (c < 0x80) { sb.Append((char)c); i++; continue; }
            if (Rune.DecodeFromUtf8(raw[i..], out var rune, out int consumed) == OperationStatus.Done && consumed >= 2)
            {
                sb.Append(rune.ToString());
                i += consumed;
                continue;
            }
            sb.Append("\\x").Append(c.ToString("x2"));
            i++;
        }
        return sb.ToString();
    }

    /// <summary>Escaping for xattr names: like paths, plus ',' and '='.</summary>
    public static string EscapeXattrName(ReadOnlySpan<byte> name) => Escape(name, ",="u8);
}
