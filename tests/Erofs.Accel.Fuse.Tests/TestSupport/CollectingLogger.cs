using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Erofs.Accel.Fuse.Tests.TestSupport;

/// <summary>Keeps log lines (and mirrors them to the test output) so tests can assert that failures were logged.</summary>
internal sealed class CollectingLogger : ILogger
{
    public ConcurrentQueue<(LogLevel Level, string Message)> Entries { get; } = new();

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var message = formatter(state, exception);
        Entries.Enqueue((logLevel, message));
        try
        {
            TestContext.Current.TestOutputHelper?.WriteLine($"[{logLevel}] {message}");
        }
        catch (InvalidOperationException)
        {
            // no test is running on this thread any more
        }
    }

    public int Count(LogLevel level) => Entries.Count(e => e.Level == level);
}
