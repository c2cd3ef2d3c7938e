using Erofs.Accel.Decompression.Engine;
using Erofs.Accel.Decompression.Tests.Engine.Support;

namespace Erofs.Accel.Decompression.Tests.Engine;

public sealed class CircuitBreakerTests
{
    private static readonly CircuitBreakerOptions Options = new()
    {
        FailureThreshold = 3,
        OpenDuration = TimeSpan.FromSeconds(10),
        MaxOpenDuration = TimeSpan.FromSeconds(30),
        MaxFailedProbes = 3,
    };

    [Fact]
    public void OpensAfterConsecutiveFailuresOnly()
    {
        var breaker = new CircuitBreaker(Options, new ManualClock());
        breaker.OnFailure(false, "x");
        breaker.OnFailure(false, "x");
        breaker.OnSuccess(false); // resets the run
        breaker.OnFailure(false, "x");
        breaker.OnFailure(false, "x");
        Assert.Equal(BreakerState.Closed, breaker.State);
        breaker.OnFailure(false, "x");
        Assert.Equal(BreakerState.Open, breaker.State);
        Assert.Equal(1, breaker.Trips);
        Assert.False(breaker.TryAcquire(out _));
    }

    [Fact]
    public void ProbesOnceAfterTheOpenPeriodAndClosesOnSuccess()
    {
        var clock = new ManualClock();
        var transitions = new List<BreakerState>();
        var breaker = new CircuitBreaker(Options, clock, (s, _) => transitions.Add(s));
        for (int i = 0; i < 3; i++) breaker.OnFailure(false, "x");
        clock.Advance(TimeSpan.FromSeconds(9));
        Assert.False(breaker.TryAcquire(out _));
        clock.Advance(TimeSpan.FromSeconds(2));
        Assert.True(breaker.TryAcquire(out bool probe));
        Assert.True(probe);
        Assert.False(breaker.TryAcquire(out _)); // only one probe at a time
        breaker.OnSuccess(true);
        Assert.Equal(BreakerState.Closed, breaker.State);
        Assert.True(breaker.TryAcquire(out probe));
        Assert.False(probe);
        Assert.Equal([BreakerState.Open, BreakerState.HalfOpen, BreakerState.Closed], transitions);
    }

    [Fact]
    public void FailedProbesBackOffThenDisable()
    {
        var clock = new ManualClock();
        var breaker = new CircuitBreaker(Options, clock);
        for (int i = 0; i < 3; i++) breaker.OnFailure(false, "x");

        clock.Advance(TimeSpan.FromSeconds(11));
        Assert.True(breaker.TryAcquire(out bool probe) && probe);
        breaker.OnFailure(true, "still broken");
        Assert.Equal(BreakerState.Open, breaker.State);
        clock.Advance(TimeSpan.FromSeconds(11));
        Assert.False(breaker.TryAcquire(out _)); // open period doubled to 20 s
        clock.Advance(TimeSpan.FromSeconds(10));
        Assert.True(breaker.TryAcquire(out probe) && probe);
        breaker.OnFailure(true, "still broken");
        clock.Advance(TimeSpan.FromSeconds(31)); // capped at 30 s
        Assert.True(breaker.TryAcquire(out probe) && probe);
        breaker.OnFailure(true, "still broken");
        Assert.Equal(BreakerState.Disabled, breaker.State);
        clock.Advance(TimeSpan.FromHours(1));
        Assert.False(breaker.TryAcquire(out _));
    }

    [Fact]
    public void NeutralProbeOutcomeLetsTheNextRequestProbe()
    {
        var clock = new ManualClock();
        var breaker = new CircuitBreaker(Options, clock);
        for (int i = 0; i < 3; i++) breaker.OnFailure(false, "x");
        clock.Advance(TimeSpan.FromSeconds(11));
        Assert.True(breaker.TryAcquire(out bool probe) && probe);
        breaker.OnNeutral(true);
        Assert.Equal(BreakerState.HalfOpen, breaker.State);
        Assert.True(breaker.TryAcquire(out probe) && probe);
    }
}
