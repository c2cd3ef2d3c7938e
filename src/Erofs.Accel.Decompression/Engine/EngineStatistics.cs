namespace Erofs.Accel.Decompression.Engine;

/// <summary>Snapshot of a <see cref="DecompressionEngine"/>'s counters (for <c>-v</c> output and tests).</summary>
public sealed record EngineStatistics(
    IReadOnlyList<BackendStatistics> Backends,
    long SoftwareServedAsFallback,
    long CorruptConfirmed,
    long InFlight,
    long BuffersOutstanding)
{
    /// <summary>The entry of a backend by name, or null.</summary>
    public BackendStatistics? this[string name] => Backends.FirstOrDefault(b => string.Equals(b.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>Lines for a verbose CLI report: one per backend, then the totals.</summary>
    public IReadOnlyList<string> Format()
    {
        var lines = Backends.Select(b => b.ToString()).ToList();
        lines.Add($"software decoded {SoftwareServedAsFallback} request(s) as fallback; {CorruptConfirmed} confirmed corrupt");
        return lines;
    }
}
