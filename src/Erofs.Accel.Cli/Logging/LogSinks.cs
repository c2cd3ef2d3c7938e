using Microsoft.Extensions.Logging;

namespace Erofs.Accel.Cli;

/// <summary>Where log lines end up: a terminal, a file, syslog. Implementations are safe for concurrent use.</summary>
internal interface ILogSink
{
    /// <summary>Writes one line (no line breaks inside). May throw; <see cref="LineLogger"/> swallows it.</summary>
    void Write(LogLevel level, string message);

    /// <summary>For messages: "syslog", a file path, "stderr".</summary>
    string Description { get; }
}

/// <summary>
/// Lines "erofs-accel: TIME level: message" to a writer: stderr (left open on dispose), or a log file opened for
/// appending by <see cref="OpenFile"/> (closed on dispose).
/// </summary>
internal sealed class TextLogSink(TextWriter writer, string description = "stderr", bool withDate = false, bool ownsWriter = false) : ILogSink, IDisposable
{
    private readonly object _lock = new();

    public string Description => description;

    /// <summary>Opens (creating it and its folder if needed) a log file for appending.</summary>
    public static TextLogSink OpenFile(string path)
    {
        try
        {
            var folder = Path.GetDirectoryName(Path.GetFullPath(path));
            if (folder is not null) Directory.CreateDirectory(folder);
            var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
            return new TextLogSink(new StreamWriter(stream) { AutoFlush = true }, path, withDate: true, ownsWriter: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"cannot open the log file {path}: {e.Message}", e);
        }
    }

    public void Write(LogLevel level, string message)
    {
        var time = withDate ? $"{DateTime.Now:yyyy-MM-dd HH:mm:ss}" : $"{DateTime.UtcNow:HH:mm:ss}";
        lock (_lock)
        {
            writer.WriteLine($"erofs-accel: {time} {LevelPrefix(level)}{message}");
            writer.Flush();
        }
    }

    internal static string LevelPrefix(LogLevel level) => level switch
    {
        LogLevel.Warning => "warning: ",
        LogLevel.Error or LogLevel.Critical => "error: ",
        LogLevel.Debug or LogLevel.Trace => "debug: ",
        _ => "",
    };

    public void Dispose()
    {
        if (ownsWriter) lock (_lock) writer.Dispose();
    }
}

/// <summary>Drops everything (a background server whose parent has stopped listening and that has no log).</summary>
internal sealed class NullLogSink : ILogSink
{
    public static readonly NullLogSink Instance = new();

    public string Description => "nowhere";

    public void Write(LogLevel level, string message)
    {
    }
}
