using Microsoft.Extensions.Logging;

namespace Erofs.Accel.Cli;

/// <summary>
/// A minimal logger: one line per event ("erofs-accel: warning: ..."), to a writer that can be switched (a
/// background mount stops writing to its parent's pipe once it is ready). Never throws.
/// </summary>
public sealed class LineLogger(TextWriter writer, LogLevel minimum = LogLevel.Information) : ILogger
{
    private TextWriter _writer = writer;
    private readonly object _lock = new();

    public void Redirect(TextWriter writer)
    {
        lock (_lock) _writer = writer;
    }

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum && logLevel != LogLevel.None;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel)) return;
        var text = formatter(state, exception);
        if (exception is not null && !text.Contains(exception.Message)) text += $": {exception.GetType().Name}: {exception.Message}";
        var level = logLevel switch
        {
            LogLevel.Warning => "warning: ",
            LogLevel.Error or LogLevel.Critical => "error: ",
            LogLevel.Debug or LogLevel.Trace => "debug: ",
            _ => "",
        };
        try
        {
            lock (_lock)
            {
                _writer.WriteLine($"erofs-accel: {DateTime.UtcNow:HH:mm:ss} {level}{text.ReplaceLineEndings(" ")}");
                _writer.Flush();
            }
        }
        catch (Exception)
        {
            // a closed pipe or full disk must not take the mount down
        }
    }
}
