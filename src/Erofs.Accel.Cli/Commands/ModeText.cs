using Erofs.Accel.Format;

namespace Erofs.Accel.Cli.Commands;

/// <summary>ls-style rendering of modes and times.</summary>
internal static class ModeText
{
    public static string Render(InodeType type, uint mode)
    {
        Span<char> s = stackalloc char[10];
        s[0] = type switch
        {
            InodeType.Directory => 'd', InodeType.Symlink => 'l', InodeType.CharDevice => 'c',
            InodeType.BlockDevice => 'b', InodeType.Fifo => 'p', InodeType.Socket => 's', _ => '-',
        };
        const string rwx = "rwxrwxrwx";
        for (int i = 0; i < 9; i++) s[i + 1] = (mode & (1u << (8 - i))) != 0 ? rwx[i] : '-';
        if ((mode & 0x800) != 0) s[3] = s[3] == 'x' ? 's' : 'S';
        if ((mode & 0x400) != 0) s[6] = s[6] == 'x' ? 's' : 'S';
        if ((mode & 0x200) != 0) s[9] = s[9] == 'x' ? 't' : 'T';
        return new string(s);
    }

    public static string Time(long seconds, uint nanoseconds, bool withNanoseconds)
    {
        const long min = -62135596800L, max = 253402300799L;
        if (seconds < min || seconds > max) return withNanoseconds ? $"@{seconds}.{nanoseconds:D9}" : $"@{seconds}";
        var t = DateTimeOffset.FromUnixTimeSeconds(seconds);
        return withNanoseconds ? $"{t:yyyy-MM-dd HH:mm:ss}.{nanoseconds:D9} +0000" : $"{t:yyyy-MM-dd HH:mm}";
    }
}
