namespace Erofs.Accel.Decompression.Engine;

/// <summary>Work that can be split into independent numbered items (one pcluster each).</summary>
internal interface IIndexedWork
{
    void Run(int index);
}

/// <summary>
/// The one process-wide limit on threads that software decoding of batches may borrow: at most processor count - 1
/// helpers at once, over every engine and every caller. A caller always decodes on its own thread and takes whatever
/// helpers are free at that moment (none when other readers already hold them), so sixteen FUSE workers each decoding
/// a large read never fan out to sixteen times the cores: under load each decodes inline, on an idle machine one
/// read uses every core. Helpers run on the thread pool and take items from a shared counter, so a helper that starts
/// late simply finds nothing left to do.
/// </summary>
internal static class SharedDecodeThreads
{
    private static readonly int Limit = Math.Max(0, Environment.ProcessorCount - 1);
    private static int _free = Limit;

    /// <summary>Helpers that may be borrowed right now (for tests and diagnostics).</summary>
    public static int Free => Volatile.Read(ref _free);

    /// <summary>
    /// Runs <paramref name="work"/> for items 0..count-1, on this thread plus up to <paramref name="maxThreads"/> - 1
    /// borrowed helpers, and returns once every item has run. The first exception an item throws is rethrown here
    /// (after all items have finished).
    /// </summary>
    public static void For(int count, int maxThreads, IIndexedWork work)
    {
        int helpers = Borrow(Math.Min(maxThreads, count) - 1);
        var job = new Job(work, count);
        if (helpers == 0)
        {
            // no helper free (other callers hold them all): every item on this thread, with the same contract
            job.RunItems();
            job.WaitForAllItems();
            return;
        }
        for (int h = 0; h < helpers; h++) ThreadPool.UnsafeQueueUserWorkItem(job, preferLocal: false);
        job.RunItems();
        job.WaitForAllItems();
    }

    private static int Borrow(int wanted)
    {
        if (wanted <= 0) return 0;
        while (true)
        {
            int free = Volatile.Read(ref _free);
            int take = Math.Min(free, wanted);
            if (take <= 0) return 0;
            if (Interlocked.CompareExchange(ref _free, free - take, free) == free) return take;
        }
    }

    private static void GiveBack() => Interlocked.Increment(ref _free);

    private sealed class Job(IIndexedWork work, int count) : IThreadPoolWorkItem
    {
        private readonly ManualResetEventSlim _allDone = new(false);
        private int _next = -1;
        private int _finished;
        private Exception? _failure;

        /// <summary>A helper: runs items until none are left, then returns its slot.</summary>
        public void Execute()
        {
            try
            {
                RunItems();
            }
            finally
            {
                GiveBack();
            }
        }

        public void RunItems()
        {
            int i;
            while ((i = Interlocked.Increment(ref _next)) < count)
            {
                try
                {
                    work.Run(i);
                }
                catch (Exception e)
                {
                    Interlocked.CompareExchange(ref _failure, e, null);
                }
                if (Interlocked.Increment(ref _finished) == count) _allDone.Set();
            }
        }

        public void WaitForAllItems()
        {
            if (Volatile.Read(ref _finished) < count) _allDone.Wait();
            if (_failure is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(_failure);
        }
    }
}
