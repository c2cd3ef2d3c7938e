using System.Text;

namespace Erofs.Accel.Fuse.Transport;

/// <summary>One line of /proc/self/mountinfo.</summary>
public sealed record MountEntry(int MountId, uint Major, uint Minor, string MountPoint, string FileSystemType, string Source, string Options);

/// <summary>Reads /proc/self/mountinfo (proc(5)): which paths are mount points and which device backs them.</summary>
public static class MountTable
{
    /// <summary>The calling process's mount table.</summary>
    public const string DefaultPath = "/proc/self/mountinfo";

    /// <summary>Every mount in the table at <paramref name="path"/>, in table order.</summary>
    public static IReadOnlyList<MountEntry> Read(string path = DefaultPath)
    {
        var entries = new List<MountEntry>();
        foreach (var line in File.ReadAllLines(path))
        {
            var entry = ParseLine(line);
            if (entry is not null) entries.Add(entry);
        }
        return entries;
    }

    /// <summary>The topmost mount on <paramref name="mountPoint"/> (an absolute, resolved path), or null.</summary>
    public static MountEntry? FindByMountPoint(string mountPoint, string path = DefaultPath)
    {
        MountEntry? found = null;
        foreach (var entry in Read(path))
            if (entry.MountPoint == mountPoint) found = entry;
        return found;
    }

    /// <summary>True when a filesystem is mounted at <paramref name="mountPoint"/> (as the table spells it).</summary>
    public static bool IsMountPoint(string mountPoint) => FindByMountPoint(mountPoint) is not null;

    /// <summary>Parses one mountinfo line; null for lines that do not have the documented shape.</summary>
    public static MountEntry? ParseLine(string line)
    {
        var fields = line.Split(' ');
        var separator = Array.IndexOf(fields, "-");
        if (fields.Length < 10 || separator < 6 || fields.Length < separator + 3) return null;
        if (!int.TryParse(fields[0], out var id)) return null;
        var device = fields[2].Split(':');
        if (device.Length != 2 || !uint.TryParse(device[0], out var major) || !uint.TryParse(device[1], out var minor)) return null;
        return new MountEntry(id, major, minor, Unescape(fields[4]), Unescape(fields[separator + 1]), Unescape(fields[separator + 2]), fields[5]);
    }

    /// <summary>Undoes the kernel's octal escapes (\040 space, \011 tab, \012 newline, \134 backslash).</summary>
    public static string Unescape(string field)
    {
        if (!field.Contains('\\')) return field;
        var bytes = new List<byte>(field.Length);
        var raw = Encoding.UTF8.GetBytes(field);
        for (var i = 0; i < raw.Length; i++)
        {
            if (raw[i] == (byte)'\\' && i + 3 < raw.Length && IsOctal(raw[i + 1]) && IsOctal(raw[i + 2]) && IsOctal(raw[i + 3]))
            {
                bytes.Add((byte)((raw[i + 1] - '0') * 64 + (raw[i + 2] - '0') * 8 + (raw[i + 3] - '0')));
                i += 3;
            }
            else
            {
                bytes.Add(raw[i]);
            }
        }
        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    private static bool IsOctal(byte b) => b >= (byte)'0' && b <= (byte)'7';
}
