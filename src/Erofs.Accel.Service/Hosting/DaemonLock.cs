namespace Erofs.Accel.Service.Hosting;

/// <summary>
/// One daemon per state folder: an exclusive advisory lock (flock) on a file there, held for the daemon's life and
/// released by the kernel when the process ends, however it ends, so a killed daemon never blocks the next start.
/// </summary>
internal sealed class DaemonLock : IDisposable
{
    private readonly FileStream _file;

    private DaemonLock(FileStream file) => _file = file;

    public static DaemonLock Acquire(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        FileStream file;
        try
        {
            // FileShare.None takes flock(LOCK_EX | LOCK_NB) on Linux
            file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            throw new IOException($"another erofs-accel daemon is running ({path} is locked)");
        }
        file.SetLength(0);
        var pid = System.Text.Encoding.ASCII.GetBytes(Environment.ProcessId + "\n");
        file.Write(pid);
        file.Flush();
        return new DaemonLock(file);
    }

    public void Dispose() => _file.Dispose();
}
