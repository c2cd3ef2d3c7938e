using System.Text;
using Microsoft.Extensions.Logging;

namespace Erofs.Accel.Cli;

/// <summary>
/// Keeps a flood of one message from filling the log: each (file, cause) pair may log <see cref="Burst"/> lines per
/// <see cref="Interval"/>; the rest are counted and reported as one line, "N similar messages suppressed", when the
/// interval ends (or on dispose). A file is the Node/Nid/Path/Backend value of the message; a cause is the message
/// text and exception type with their numbers blanked, so reads of one corrupt file at many offsets count as one
/// cause. Wraps the logger that both the FUSE server (per-request errors) and the decompression engine (fallback
/// warnings) write to, so one flood limit covers both. Holds at most <see cref="MaxKeys"/> pairs; further ones
/// share one budget.
/// </summary>
internal sealed class RateLimitedLogger : ILogger, IDisposable
{
    public const int Burst = 5;
    public const int MaxKeys = 1024;
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(60);
    private static readonly string[] IdentityNames = ["Node", "Nid", "Path", "Backend", "MountPoint"];
    private const string OverflowKey = "(other messages)";

    private readonly ILogger _inner;
    private readonly TimeProvider _time;
    private readonly TimeSpan _interval;
    private readonly int _burst;
    private readonly Dictionary<string, Window> _windows = new(StringComparer.Ordinal);
    private readonly ITimer _flushTimer;

    private sealed class Window
    {
        public long Start;
        public int Logged;
        public int Suppressed;
        public LogLevel Level;
        public string LastText = "";
    }

    public RateLimitedLogger(ILogger inner, TimeProvider? time = null, int burst = Burst, TimeSpan? interval = null)
    {
        _inner = inner;
        _time = time ?? TimeProvider.System;
        _burst = burst;
        _interval = interval ?? Interval;
        _flushTimer = _time.CreateTimer(_ => Flush(all: false), null, _interval, _interval);
    }

    /// <summary>Lines suppressed so far (all keys).</summary>
    public long SuppressedCount { get; private set; }

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => _inner.BeginScope(state);

    public bool IsEnabled(LogLevel logLevel) => _inner.IsEnabled(logLevel);

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!_inner.IsEnabled(logLevel)) return;
        var text = formatter(state, exception);
        var key = KeyOf(state, exception, text);
        string? summary = null;
        LogLevel summaryLevel = logLevel;
        long now = _time.GetTimestamp();
        lock (_windows)
        {
            if (!_windows.TryGetValue(key, out var window))
            {
                if (_windows.Count >= MaxKeys) Flush(all: false, locked: true);
                if (_windows.Count >= MaxKeys) key = OverflowKey;
                if (!_windows.TryGetValue(key, out window)) _windows[key] = window = new Window { Start = now };
            }
            if (_time.GetElapsedTime(window.Start, now) >= _interval)
            {
                summary = Summary(window);
                summaryLevel = window.Level;
                window.Start = now;
                window.Logged = 0;
                window.Suppressed = 0;
            }
            if (window.Logged >= _burst)
            {
                window.Suppressed++;
                window.Level = logLevel;
                window.LastText = exception is null || text.Contains(exception.Message) ? text : $"{text}: {exception.Message}";
                SuppressedCount++;
                text = "";
            }
            else window.Logged++;
        }
        if (summary is not null) _inner.Log(summaryLevel, "{Summary}", summary);
        if (text.Length > 0) _inner.Log(logLevel, eventId, state, exception, formatter);
    }

    /// <summary>Reports the suppressed counts of windows that have ended (all windows with <paramref name="all"/>) and forgets idle ones.</summary>
    public void Flush(bool all = true) => Flush(all, locked: false);

    private void Flush(bool all, bool locked)
    {
        var summaries = new List<(LogLevel, string)>();
        long now = _time.GetTimestamp();
        if (!locked) Monitor.Enter(_windows);
        try
        {
            foreach (var (key, window) in _windows.ToList())
            {
                if (!all && _time.GetElapsedTime(window.Start, now) < _interval) continue;
                if (Summary(window) is { } s) summaries.Add((window.Level, s));
                _windows.Remove(key);
            }
        }
        finally
        {
            if (!locked) Monitor.Exit(_windows);
        }
        foreach (var (level, s) in summaries) _inner.Log(level, "{Summary}", s);
    }

    private string? Summary(Window w) => w.Suppressed == 0
        ? null
        : $"{w.Suppressed} similar message(s) suppressed in {Math.Round(_interval.TotalSeconds)} s, the last: {w.LastText}";

    /// <summary>(file, cause): the identity values of the message, the exception type, and the text with numbers blanked.</summary>
    internal static string KeyOf<TState>(TState state, Exception? exception, string text)
    {
        var key = new StringBuilder();
        if (state is IReadOnlyList<KeyValuePair<string, object?>> properties)
        {
            foreach (var (name, value) in properties)
                if (Array.IndexOf(IdentityNames, name) >= 0) key.Append(name).Append('=').Append(value).Append(';');
        }
        key.Append(exception?.GetType().Name).Append('|');
        var cause = exception is null || text.Contains(exception.Message) ? text : text + exception.Message;
        for (int i = 0; i < cause.Length; i++)
        {
            if (!char.IsAsciiDigit(cause[i]))
            {
                key.Append(cause[i]);
                continue;
            }
            // a number, decimal or 0x hexadecimal, becomes one '#'
            bool hex = cause[i] == '0' && i + 1 < cause.Length && cause[i + 1] is 'x' or 'X';
            if (hex) i++;
            while (i + 1 < cause.Length && (hex ? char.IsAsciiHexDigit(cause[i + 1]) : char.IsAsciiDigit(cause[i + 1]))) i++;
            key.Append('#');
        }
        return key.ToString();
    }

    public void Dispose()
    {
        _flushTimer.Dispose();
        Flush(all: true);
    }
}
