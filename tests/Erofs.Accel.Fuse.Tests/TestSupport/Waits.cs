namespace Erofs.Accel.Fuse.Tests.TestSupport;

/// <summary>Bounded waits on the server's tasks (tests must fail, not hang).</summary>
internal static class Waits
{
    public static bool Completed(Task task, TimeSpan timeout) => ((IAsyncResult)task).AsyncWaitHandle.WaitOne(timeout) && task.IsCompleted;

    /// <summary>Polls <paramref name="condition"/> every 10 ms until it holds (true) or <paramref name="timeout"/> passes (false).</summary>
    public static bool Until(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) return false;
            Thread.Sleep(10);
        }
        return true;
    }
}
