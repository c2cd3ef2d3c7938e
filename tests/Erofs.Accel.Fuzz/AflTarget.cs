using Erofs.Accel.Format;

namespace Erofs.Accel.Fuzz;

/// <summary>
/// The coverage-guided target: <c>Erofs.Accel.Fuzz afl</c> under afl-fuzz (AFL++), through SharpFuzz, with the
/// reader's assemblies instrumented by the <c>sharpfuzz</c> tool (see <c>tests/Erofs.Accel.Fuzz/run-afl.sh</c>).
/// The same contract as the built-in mutator: a typed <see cref="ErofsException"/> is a normal outcome; any other
/// exception, a write past a read buffer or runaway allocation escapes and AFL records a crash; a hang is an AFL
/// timeout.
/// </summary>
internal static class AflTarget
{
    public static int Run()
    {
        SharpFuzz.Fuzzer.OutOfProcess.Run(stream =>
        {
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var input = copy.ToArray();
            long before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                // a fixed seed per input, so AFL sees the same path for the same bytes
                ReadEverythingTarget.Run(input, Array.Empty<byte[]>(), seed: input.Length);
            }
            catch (ErofsException)
            {
            }
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            long limit = 64L * input.Length + (256L << 20);
            if (allocated > limit)
                throw new ContractViolation($"allocated {allocated >> 20} MiB for a {input.Length >> 10} KiB input (limit {limit >> 20} MiB)");
        });
        return 0;
    }
}
