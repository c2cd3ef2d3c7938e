namespace Erofs.Accel.Fuse.Transport;

/// <summary>
/// Which thread serves which FUSE io_uring queue. The kernel has one queue per possible CPU and routes a request to the
/// queue of the CPU its caller runs on; it uses the rings only once every queue has an entry. Each online CPU gets a
/// thread pinned to it serving its own queue with <c>depth</c> entries; the queues of CPUs that are possible but
/// offline get one entry each on the first thread (nothing runs there until such a CPU comes online).
/// </summary>
internal sealed record FuseUringQueuePlan(IReadOnlyList<FuseUringQueuePlan.Thread> Threads)
{
    /// <summary>One serving thread: the CPU to pin it to and the queue id of each of its entries.</summary>
    public sealed record Thread(int Cpu, IReadOnlyList<ushort> EntryQueues);

    public int EntryCount => Threads.Sum(t => t.EntryQueues.Count);

    public static FuseUringQueuePlan For(IReadOnlyCollection<int> possibleCpus, IReadOnlyCollection<int> onlineCpus, int depth)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(depth, 1);
        if (possibleCpus.Count == 0) throw new ArgumentException("no possible CPU", nameof(possibleCpus));
        var online = onlineCpus.Where(possibleCpus.Contains).Order().ToList();
        if (online.Count == 0) online = possibleCpus.Order().ToList();
        var threads = online.Select(cpu => (Cpu: cpu, Queues: Enumerable.Repeat((ushort)cpu, depth).ToList())).ToList();
        foreach (var offline in possibleCpus.Except(online).Order()) threads[0].Queues.Add((ushort)offline);
        return new FuseUringQueuePlan(threads.Select(t => new Thread(t.Cpu, t.Queues)).ToList());
    }

    /// <summary>The plan for this machine, from /sys/devices/system/cpu/{possible,online}.</summary>
    public static FuseUringQueuePlan ForThisMachine(int depth)
    {
        var possible = CpuList.Read("/sys/devices/system/cpu/possible");
        var online = CpuList.Read("/sys/devices/system/cpu/online");
        if (possible.Count == 0) possible = Enumerable.Range(0, Environment.ProcessorCount).ToList();
        return For(possible, online, depth);
    }
}

/// <summary>The kernel's CPU list format ("0-3,8,10-11").</summary>
internal static class CpuList
{
    public static IReadOnlyList<int> Parse(string text)
    {
        var cpus = new SortedSet<int>();
        foreach (var part in text.Trim().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var dash = part.IndexOf('-');
            if (dash < 0)
            {
                if (int.TryParse(part, out var single) && single >= 0) cpus.Add(single);
                continue;
            }
            if (int.TryParse(part[..dash], out var first) && int.TryParse(part[(dash + 1)..], out var last) && first >= 0 && last >= first && last < 65536)
                for (var cpu = first; cpu <= last; cpu++) cpus.Add(cpu);
        }
        return cpus.ToList();
    }

    public static IReadOnlyList<int> Read(string path)
    {
        try
        {
            return Parse(File.ReadAllText(path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }
}
