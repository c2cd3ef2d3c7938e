using Microsoft.Extensions.Logging;

namespace Erofs.Accel.Fuse.TestHost;

/// <summary>Minimal logger writing one line per event to standard error.</summary>
public sealed class StderrLogger(LogLevel minimum) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel)) return;
        var line = $"[{logLevel}] {formatter(state, exception)}";
        if (exception is not null) line += $" ({exception.GetType().Name})";
        Console.Error.WriteLine(line);
    }
}
