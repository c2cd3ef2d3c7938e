using System.Globalization;
using Erofs.Accel.Core.Export;

namespace Erofs.Accel.Cli.Commands;

/// <summary>
/// The options that bound a pass over an image's files (manifest, extract): --max-file-bytes, --max-total-bytes and
/// --timeout, and the CLI's wording of the library's limit and refusal errors (the library names its settings, the
/// CLI names its flags).
/// </summary>
internal static class ScanArguments
{
    public static readonly string[] ValueOptions = { "--max-file-bytes", "--max-total-bytes", "--timeout" };

    public const string Help =
        "--max-file-bytes N (default 64G), --max-total-bytes N (default 256G), --timeout SECONDS (default none); 0 = no limit";

    public static ScanLimits Limits(CommandLine cl) => new()
    {
        MaxFileBytes = Bytes(cl, "--max-file-bytes") ?? ScanLimits.DefaultMaxFileBytes,
        MaxTotalBytes = Bytes(cl, "--max-total-bytes") ?? ScanLimits.DefaultMaxTotalBytes,
        Timeout = Seconds(cl, "--timeout"),
    };

    /// <summary>A byte count: digits with an optional K, M, G, T, P suffix (powers of 1024, "iB" or "B" may follow).</summary>
    public static long? Bytes(CommandLine cl, string option)
    {
        var s = cl.Last(option);
        if (s is null) return null;
        var t = s.Trim();
        foreach (var unit in new[] { "iB", "B" })
            if (t.Length > unit.Length && t.EndsWith(unit, StringComparison.OrdinalIgnoreCase) && char.IsLetter(t[^(unit.Length + 1)]))
            {
                t = t[..^unit.Length];
                break;
            }
        int shift = t.Length > 0 ? char.ToUpperInvariant(t[^1]) switch { 'K' => 10, 'M' => 20, 'G' => 30, 'T' => 40, 'P' => 50, _ => 0 } : 0;
        if (shift > 0) t = t[..^1];
        if (!long.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out long v) || v > long.MaxValue >> shift)
            throw new UsageException($"option {option} needs a byte count such as 1048576, 512M or 64G (0 for no limit), not '{s}'");
        return v << shift;
    }

    /// <summary>Seconds (fractions allowed, or with an s, m or h suffix); 0 means no limit.</summary>
    public static TimeSpan? Seconds(CommandLine cl, string option)
    {
        var s = cl.Last(option);
        if (s is null) return null;
        var t = s.Trim();
        double scale = t.Length > 0 ? char.ToLowerInvariant(t[^1]) switch { 's' => 1, 'm' => 60, 'h' => 3600, _ => 0 } : 0;
        if (scale > 0) t = t[..^1];
        else scale = 1;
        if (!double.TryParse(t, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double v) || v * scale > TimeSpan.MaxValue.TotalSeconds / 2)
            throw new UsageException($"option {option} needs a number of seconds such as 30, 2.5 or 10m (0 for no limit), not '{s}'");
        return v == 0 ? null : TimeSpan.FromSeconds(v * scale);
    }

    /// <summary>The library's error reworded with the flag that changes the outcome; other errors pass through.</summary>
    public static Exception WithFlags(Exception e) => e switch
    {
        ScanLimitExceededException l => new IOException($"{l.Path}: {l.Reason} ({Flag(l.Limit)})", l),
        ExtractionRefusedException { Refusal: ExtractionRefusal.DestinationNotEmpty or ExtractionRefusal.EntryExists } r =>
            new IOException($"{r.Message} (use --overwrite to extract into it anyway)", r),
        _ => e,
    };

    private static string Flag(ScanLimit limit) => limit switch
    {
        ScanLimit.FileBytes => "--max-file-bytes N raises it, 0 removes it",
        ScanLimit.TotalBytes => "--max-total-bytes N raises it, 0 removes it",
        _ => "--timeout SECONDS raises it, 0 removes it",
    };
}
