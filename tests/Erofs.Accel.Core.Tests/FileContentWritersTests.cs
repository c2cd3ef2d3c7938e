using Erofs.Accel.Core.Export;

namespace Erofs.Accel.Core.Tests;

/// <summary>The extract writer pool: every posted job is either filled or abandoned, exactly once, even after a failure.</summary>
public class FileContentWritersTests
{
    private sealed class CountingJob(Action? fill = null) : FileContentWriters.IJob
    {
        public int Filled;
        public int Abandoned;

        public void Fill()
        {
            Interlocked.Increment(ref Filled);
            fill?.Invoke();
        }

        public void Abandon() => Interlocked.Increment(ref Abandoned);
    }

    [Fact]
    public void EveryJobRunsOnceWhenNothingFails()
    {
        var jobs = Enumerable.Range(0, 500).Select(_ => new CountingJob()).ToList();
        using (var writers = new FileContentWriters(3))
        {
            foreach (var j in jobs) writers.Post(j);
            writers.Finish();
        }
        Assert.All(jobs, j => Assert.Equal((1, 0), (j.Filled, j.Abandoned)));
    }

    [Fact]
    public void AFailureIsRethrownAndEveryOtherJobIsFilledOrAbandoned()
    {
        var jobs = new List<CountingJob>();
        using var release = new ManualResetEventSlim();
        var failure = new IOException("disk full");
        Exception? seen = null;
        using (var writers = new FileContentWriters(2))
        {
            try
            {
                for (int i = 0; i < 200; i++)
                {
                    var job = i == 10 ? new CountingJob(() => throw failure) : new CountingJob(() => release.Wait(5));
                    jobs.Add(job);
                    writers.Post(job);
                }
                writers.Finish();
            }
            catch (IOException e)
            {
                seen = e;
            }
        }
        Assert.Same(failure, seen);
        Assert.All(jobs, j => Assert.Equal(1, j.Filled + j.Abandoned));
        Assert.True(jobs.Count(j => j.Abandoned == 1) > 0 || jobs.Count < 200, "the walk should stop or the queue be abandoned after the failure");
    }

    [Fact]
    public void DisposingWithoutFinishingAbandonsWhatIsQueued()
    {
        using var gate = new ManualResetEventSlim();
        using var entered = new ManualResetEventSlim();
        var first = new CountingJob(() =>
        {
            entered.Set();
            gate.Wait(TimeSpan.FromSeconds(10));
        });
        var queued = Enumerable.Range(0, 3).Select(_ => new CountingJob()).ToList();
        var writers = new FileContentWriters(1);
        writers.Post(first);
        foreach (var j in queued) writers.Post(j);
        Assert.True(entered.Wait(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken), "the writer never started");
        var disposing = Task.Run(writers.Dispose, TestContext.Current.CancellationToken);
        Thread.Sleep(50);
        gate.Set();
        Assert.True(disposing.Wait(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));
        Assert.Equal(1, first.Filled);
        Assert.All(queued, j => Assert.Equal(1, j.Filled + j.Abandoned));
    }
}
