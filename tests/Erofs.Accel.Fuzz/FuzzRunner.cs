using System.Diagnostics;
using Erofs.Accel.Format;

namespace Erofs.Accel.Fuzz;

/// <summary>Settings of a mutation run.</summary>
public sealed record FuzzOptions
{
    public long Executions { get; init; } = long.MaxValue;
    public TimeSpan Duration { get; init; } = TimeSpan.MaxValue;
    public int Seed { get; init; } = 1;
    /// <summary>An input taking longer than this is a hang.</summary>
    public TimeSpan Deadline { get; init; } = TimeSpan.FromSeconds(20);
    public string FindingsDirectory { get; init; } = "fuzz-findings";
    public TextWriter Log { get; init; } = Console.Out;
}

/// <summary>
/// Runs mutated inputs through <see cref="ReadEverythingTarget"/> on a worker thread under a deadline, checks the
/// contract (only <see cref="ErofsException"/> may escape; no hang; allocation bounded by the input size) and saves
/// every violating input.
/// </summary>
public sealed class FuzzRunner(IReadOnlyList<SeedImage> seeds, FuzzOptions options)
{
    public long Executions { get; private set; }
    public long Rejected { get; private set; }
    public List<string> Findings { get; } = new();

    public int Run()
    {
        var sw = Stopwatch.StartNew();
        var lastReport = sw.Elapsed;
        for (long i = 0; i < options.Executions && sw.Elapsed < options.Duration; i++)
        {
            var seed = seeds[(int)(i % seeds.Count)];
            int inputSeed = unchecked(options.Seed * 1_000_003 + (int)i);
            var rng = new Random(inputSeed);
            var input = Mutator.Mutate(seed, rng, out var what);
            var violation = RunOne(input, seed.Devices, inputSeed, out bool rejected);
            Executions++;
            if (rejected) Rejected++;
            if (violation is not null) Record(seed, input, inputSeed, what, violation);
            if (violation is not null && violation.StartsWith("hang")) break; // the stuck thread cannot be stopped
            if (sw.Elapsed - lastReport > TimeSpan.FromSeconds(10))
            {
                lastReport = sw.Elapsed;
                options.Log.WriteLine($"fuzz: {Executions} execs ({Executions / sw.Elapsed.TotalSeconds:F0}/s), {Rejected} rejected with a typed error, {Findings.Count} findings");
            }
        }
        options.Log.WriteLine($"fuzz: done: {Executions} execs in {sw.Elapsed.TotalSeconds:F0} s ({Executions / Math.Max(sw.Elapsed.TotalSeconds, 0.001):F0}/s), {Rejected} rejected with a typed error, {Findings.Count} findings");
        return Findings.Count == 0 ? 0 : 1;
    }

    /// <summary>Runs one input; returns a violation text or null.</summary>
    public string? RunOne(byte[] input, IReadOnlyList<byte[]> devices, int seed, out bool rejected)
    {
        string? violation = null;
        bool typedError = false;
        long allocated = 0;
        var thread = new Thread(() =>
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                ReadEverythingTarget.Run(input, devices, seed);
            }
            catch (ErofsException)
            {
                typedError = true;
            }
            catch (ContractViolation e)
            {
                violation = e.Message;
            }
            catch (Exception e)
            {
                violation = $"{e.GetType().Name}: {e.Message} at {FirstFrame(e)}";
            }
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        }, 16 << 20) { IsBackground = true, Name = "fuzz-target" };
        thread.Start();
        if (!thread.Join(options.Deadline))
        {
            rejected = false;
            return $"hang: no result within {options.Deadline.TotalSeconds:F0} s";
        }
        rejected = typedError;
        long limit = 64L * (input.Length + devices.Sum(d => (long)d.Length)) + (256L << 20);
        if (violation is null && allocated > limit)
            violation = $"allocated {allocated >> 20} MiB for a {input.Length >> 10} KiB input (limit {limit >> 20} MiB)";
        return violation;
    }

    private static string FirstFrame(Exception e)
    {
        var line = e.StackTrace?.Split('\n').FirstOrDefault(l => l.Contains("Erofs.Accel")) ?? e.StackTrace?.Split('\n').FirstOrDefault() ?? "?";
        return line.Trim();
    }

    private void Record(SeedImage seed, byte[] input, int inputSeed, string what, string violation)
    {
        Directory.CreateDirectory(options.FindingsDirectory);
        var name = $"{seed.Name}-{inputSeed}";
        File.WriteAllBytes(Path.Combine(options.FindingsDirectory, name + ".erofs"), input);
        File.WriteAllText(Path.Combine(options.FindingsDirectory, name + ".txt"), $"seed image: {seed.Name}\ninput seed: {inputSeed}\nmutations: {what}\nviolation: {violation}\n");
        Findings.Add($"{name}: {violation} [{what}]");
        options.Log.WriteLine($"fuzz: FINDING {name}: {violation} [{what}]");
    }
}
