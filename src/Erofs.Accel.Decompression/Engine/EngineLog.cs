using Microsoft.Extensions.Logging;

namespace Erofs.Accel.Decompression.Engine;

/// <summary>Structured log messages of the engine.</summary>
internal static partial class EngineLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Decompression engine started: policy {Policy}, accelerators {Accelerators}")]
    public static partial void Started(ILogger logger, string policy, string accelerators);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Backend {Backend} unavailable: {Reason}")]
    public static partial void BackendUnavailable(ILogger logger, string backend, string reason);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Backend {Backend} circuit breaker {State}: {Reason}")]
    public static partial void BreakerChanged(ILogger logger, string backend, BreakerState state, string reason);

    [LoggerMessage(EventId = 4, Level = LogLevel.Debug, Message = "Request for {Backend} decoded in software: {Reason}")]
    public static partial void FellBack(ILogger logger, string backend, FallbackReason reason);

    [LoggerMessage(EventId = 5, Level = LogLevel.Error, Message = "Backend {Backend} threw while decoding")]
    public static partial void BackendThrew(ILogger logger, string backend, Exception exception);

    [LoggerMessage(EventId = 6, Level = LogLevel.Warning, Message = "Backend {Backend}: {Workers} worker(s) still busy at shutdown; the backend is left undisposed")]
    public static partial void WorkersStuck(ILogger logger, string backend, int workers);

    [LoggerMessage(EventId = 7, Level = LogLevel.Debug, Message = "Batch of {Count} request(s) sent to {Backend}")]
    public static partial void BatchRouted(ILogger logger, string backend, int count);

    [LoggerMessage(EventId = 8, Message = "native library: {Line}")]
    public static partial void NativeLibraryLine(ILogger logger, LogLevel level, string line);
}
