namespace Erofs.Accel.Fuse.Protocol;

/// <summary>How long the kernel may cache names, attributes and negative lookups, in wire form.</summary>
internal readonly record struct CacheTimeouts(
    ulong EntrySeconds, uint EntryNanoseconds,
    ulong AttributeSeconds, uint AttributeNanoseconds,
    ulong NegativeSeconds, uint NegativeNanoseconds)
{
    public static CacheTimeouts From(TimeSpan entry, TimeSpan attribute, TimeSpan negative)
    {
        static (ulong Seconds, uint Nanoseconds) Split(TimeSpan span)
        {
            if (span <= TimeSpan.Zero) return (0, 0);
            var ticks = span.Ticks;
            return ((ulong)(ticks / TimeSpan.TicksPerSecond), (uint)(ticks % TimeSpan.TicksPerSecond * 100));
        }

        var e = Split(entry);
        var a = Split(attribute);
        var n = Split(negative);
        return new CacheTimeouts(e.Seconds, e.Nanoseconds, a.Seconds, a.Nanoseconds, n.Seconds, n.Nanoseconds);
    }
}
