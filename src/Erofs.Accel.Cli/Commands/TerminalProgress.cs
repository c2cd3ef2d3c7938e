using Erofs.Accel.Core.Export;

namespace Erofs.Accel.Cli.Commands;

/// <summary>
/// extract's progress on a terminal: one line rewritten in place (counts, MiB, the current path cut to the window's
/// width), shown only once the extraction has lasted <c>showAfter</c>, and erased at the end.
/// </summary>
internal sealed class TerminalProgress(TextWriter stderr, TimeSpan showAfter) : IProgress<ExtractProgress>
{
    private const string ReturnAndClearLine = "\r\x1b[K";
    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();
    private bool _shown;

    public int Width { get; init; } = TerminalWidth();

    public void Report(ExtractProgress p)
    {
        if (_clock.Elapsed < showAfter) return;
        var line = $"extracting: {p.Entries} entries, {p.Files} files, {p.Bytes / (1024.0 * 1024):F1} MiB  {p.CurrentPath}";
        int width = Math.Max(40, Width - 1);
        if (line.Length > width) line = line[..(width - 3)] + "...";
        stderr.Write(ReturnAndClearLine + line);
        stderr.Flush();
        _shown = true;
    }

    /// <summary>Erases the line (when one was shown), so that what follows starts on a clean line.</summary>
    public void Clear()
    {
        if (!_shown) return;
        stderr.Write(ReturnAndClearLine);
        stderr.Flush();
    }

    private static int TerminalWidth()
    {
        try { return Console.WindowWidth > 0 ? Console.WindowWidth : 80; }
        catch (Exception e) when (e is IOException or InvalidOperationException or PlatformNotSupportedException) { return 80; }
    }
}
