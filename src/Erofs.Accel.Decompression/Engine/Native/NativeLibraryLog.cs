using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;

namespace Erofs.Accel.Decompression.Engine.Native;

/// <summary>
/// Routes the log lines native accelerator libraries write (QATzip's "[Error] ... no hardware" and the like) into the
/// engine's logger instead of stderr, every line at the level the user chose
/// (<see cref="EngineOptions.NativeLogLevel"/>, default Debug). The shims hand their library's errors and warnings to
/// one process-wide sink; the most recently registered engine logger receives them, none drops them.
/// </summary>
internal static unsafe class NativeLibraryLog
{
    private static readonly object Lock = new();
    private static readonly List<Route> Routes = new();

    private sealed class Route(ILogger logger, LogLevel level) : IDisposable
    {
        public ILogger Logger { get; } = logger;
        public LogLevel Level { get; } = level;

        public void Dispose()
        {
            lock (Lock) Routes.Remove(this);
        }
    }

    /// <summary>Sends native log lines to <paramref name="logger"/> at <paramref name="level"/> until disposed.</summary>
    public static IDisposable RouteTo(ILogger logger, LogLevel level)
    {
        var route = new Route(logger, level);
        lock (Lock) Routes.Add(route);
        return route;
    }

    /// <summary>Makes <paramref name="shim"/> hand its library's errors and warnings to this router.</summary>
    public static void Attach(NativeShim shim) => shim.SetLogSink(&OnLine, ShimLogWarning);

    /// <summary>EROFS_ACCEL_LOG_WARNING: errors and warnings, not the libraries' per-request info and debug chatter.</summary>
    private const int ShimLogWarning = 2;

    [UnmanagedCallersOnly]
    private static void OnLine(int level, byte* message)
    {
        try
        {
            Route? route;
            lock (Lock) route = Routes.Count > 0 ? Routes[^1] : null;
            if (route is null || !route.Logger.IsEnabled(route.Level)) return;
            EngineLog.NativeLibraryLine(route.Logger, route.Level, Marshal.PtrToStringUTF8((nint)message) ?? "");
        }
        catch (Exception)
        {
            // never let an exception unwind into native code
        }
    }
}
