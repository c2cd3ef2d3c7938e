using Erofs.Accel.Decompression.Engine;

namespace Erofs.Accel.Decompression.Tests.Engine.Support;

/// <summary>Engines over test backends with explicit policies (never the environment's).</summary>
internal static class EngineFactory
{
    public static EngineOptions Options(string policy, params string[] names) => new()
    {
        Policy = AccelerationPolicy.Parse(policy, names.Concat(AccelerationPolicy.KnownAccelerators)),
        AcceleratorTimeout = TimeSpan.FromSeconds(30),
        ShutdownTimeout = TimeSpan.FromSeconds(30),
    };

    public static DecompressionEngine Create(EngineOptions options, params IDecompressionBackend[] accelerators) =>
        new(options, accelerators);

    /// <summary>Waits (generously) until no pooled buffer is held by a worker any more.</summary>
    public static async Task WaitForBuffersAsync(DecompressionEngine engine, TimeSpan? limit = null)
    {
        var deadline = DateTime.UtcNow + (limit ?? TimeSpan.FromSeconds(60));
        while (engine.GetStatistics().BuffersOutstanding != 0 && DateTime.UtcNow < deadline) await Task.Delay(20);
    }

    /// <summary>Requests == Served + FallenBack + Cancelled for every accelerator.</summary>
    public static void AssertBalanced(EngineStatistics statistics)
    {
        foreach (var b in statistics.Backends.Where(b => b.Role != BackendRole.Software))
            Assert.True(b.Requests == b.Served + b.FallenBack + b.Cancelled, $"unbalanced counters: {b}");
    }
}
