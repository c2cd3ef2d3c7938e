namespace Erofs.Accel.Fuse.Tests.TestSupport;

/// <summary>Bounded waits on the server's tasks (tests must fail, not hang).</summary>
internal static class Waits
{
    public static bool Completed(Task task, TimeSpan timeout) => ((IAsyncResult)task).AsyncWaitHandle.WaitOne(timeout) && task.IsCompleted;
}
