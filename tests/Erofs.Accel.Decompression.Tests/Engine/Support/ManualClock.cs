using System.Diagnostics;

namespace Erofs.Accel.Decompression.Tests.Engine.Support;

/// <summary>Real time plus an offset the test can advance (breaker periods without sleeping). Timers stay real.</summary>
internal sealed class ManualClock : TimeProvider
{
    private long _offset;

    public override long GetTimestamp() => Stopwatch.GetTimestamp() + Interlocked.Read(ref _offset);

    public override long TimestampFrequency => Stopwatch.Frequency;

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + TimeSpan.FromSeconds((double)Interlocked.Read(ref _offset) / Stopwatch.Frequency);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _offset, (long)(by.TotalSeconds * Stopwatch.Frequency));
}
