namespace Erofs.Accel.Cli;

/// <summary>
/// Where a mount's server logs. Asked for with <c>--log</c> or <c>-o log=</c>: "syslog", "stderr" or a file. Otherwise
/// the foreground server logs to stderr, and a background one (which has no terminal) to syslog when a daemon listens
/// on /dev/log, else to /var/log/erofs-accel.log as root, else to ~/.local/state/erofs-accel/erofs-accel.log.
/// </summary>
internal static class MountLog
{
    public const string RootLogFile = "/var/log/erofs-accel.log";

    /// <summary>The default log of a background server, given whether syslog listens and who runs it.</summary>
    public static string DefaultDestination(bool syslogAvailable, bool isRoot, string? home)
    {
        if (syslogAvailable) return "syslog";
        if (isRoot || string.IsNullOrEmpty(home)) return RootLogFile;
        var state = Environment.GetEnvironmentVariable("XDG_STATE_HOME");
        return Path.Combine(string.IsNullOrEmpty(state) ? Path.Combine(home, ".local", "state") : state, "erofs-accel", "erofs-accel.log");
    }

    /// <summary>Opens the log; throws a one-line <see cref="IOException"/> when it cannot be (before anything is mounted).</summary>
    public static ILogSink Open(string? destination, bool background, TextWriter stderr)
    {
        destination ??= background
            ? DefaultDestination(SyslogSink.IsAvailable(), Environment.IsPrivilegedProcess, Environment.GetEnvironmentVariable("HOME"))
            : "stderr";
        return destination switch
        {
            "stderr" => new TextLogSink(stderr),
            "syslog" => new SyslogSink(),
            _ => TextLogSink.OpenFile(destination),
        };
    }
}
