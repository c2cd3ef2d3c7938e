using Microsoft.Extensions.Logging;

namespace Erofs.Accel.Cli;

/// <summary>
/// A minimal logger: one line per event, to a sink that can be switched (a background mount stops writing to its
/// parent's pipe once it is ready and goes on in syslog or its log file). Never throws.
/// </summary>
internal sealed class LineLogger(ILogSink sink, LogLevel minimum = LogLevel.Information) : ILogger
{
    private ILogSink _sink = sink;

    public LineLogger(TextWriter writer, LogLevel minimum = LogLevel.Information)
        : this(new TextLogSink(writer), minimum)
    {
    }

    public void Redirect(ILogSink sink) => Volatile.Write(ref _sink, sink);

    public void Redirect(TextWriter writer) => Redirect(new TextLogSink(writer));

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum && logLevel != LogLevel.None;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel)) return;
        var text = formatter(state, exception);
        if (exception is not null && !text.Contains(exception.Message)) text += $": {exception.GetType().Name}: {exception.Message}";
        try
        {
            Volatile.Read(ref _sink).Write(logLevel, text.ReplaceLineEndings(" "));
        }
        catch (Exception)
        {
            // a closed pipe, a full disk or a stopped syslog must not take the mount down
        }
    }
}
