using System.Globalization;
using Erofs.Accel.FuseRoundTrip;

// The FUSE round-trip microbenchmark. Each trial mounts an in-memory file in a child process (the server) and reads it
// here with READERS threads doing 4 KiB O_DIRECT preads at random offsets, so every read is one FUSE request and no
// decoding happens anywhere. Configurations and reader counts are interleaved, round after round, and medians are
// reported: the machine may be shared.
//
//   Erofs.Accel.FuseRoundTrip [--seconds S] [--rounds N] [--readers 1,2] [--configs classic,uring,...]
//                             [--block BYTES] [--file-mb N] [--segments] [--markdown FILE]
//   Erofs.Accel.FuseRoundTrip serve MOUNTPOINT CONFIG [--file-mb N] [--segments]      (the server child)
//
// A configuration is a transport (classic, uring) with optional suffixes: ":shared" (classic workers share one
// /dev/fuse descriptor instead of one clone each), ":unpinned" (io_uring threads not pinned to their CPUs),
// ":maxread=BYTES" (the largest READ, e.g. 131072 for the kernel's default 32 pages).
try
{
    if (args.Length > 0 && args[0] == "serve") return ServerChild.Run(args[1..]);
    var options = DriverOptions.Parse(args);
    return new RoundTripDriver(options).Run();
}
catch (ArgumentException e)
{
    Console.Error.WriteLine("error: " + e.Message);
    return 2;
}

namespace Erofs.Accel.FuseRoundTrip
{
    internal sealed record DriverOptions(
        double Seconds, int Rounds, IReadOnlyList<int> Readers, IReadOnlyList<string> Configs, int BlockSize, int FileMegabytes,
        bool Segments, string? MarkdownPath)
    {
        public static DriverOptions Parse(string[] args)
        {
            var options = new DriverOptions(3, 5, [1, 2], ["classic", "uring"], 4096, 256, false, null);
            for (var i = 0; i < args.Length; i++)
            {
                string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
                options = args[i] switch
                {
                    "--seconds" => options with { Seconds = double.Parse(Value(), CultureInfo.InvariantCulture) },
                    "--rounds" => options with { Rounds = int.Parse(Value(), CultureInfo.InvariantCulture) },
                    "--readers" => options with { Readers = Value().Split(',').Select(r => int.Parse(r, CultureInfo.InvariantCulture)).ToList() },
                    "--configs" => options with { Configs = Value().Split(',', StringSplitOptions.RemoveEmptyEntries) },
                    "--block" => options with { BlockSize = int.Parse(Value(), CultureInfo.InvariantCulture) },
                    "--file-mb" => options with { FileMegabytes = int.Parse(Value(), CultureInfo.InvariantCulture) },
                    "--segments" => options with { Segments = true },
                    "--markdown" => options with { MarkdownPath = Value() },
                    _ => throw new ArgumentException($"unknown argument {args[i]}"),
                };
            }
            if (options.Seconds <= 0 || options.Rounds < 1 || options.Readers.Any(r => r < 1) || options.BlockSize < 512 || options.FileMegabytes < 1)
                throw new ArgumentException("--seconds, --rounds, --readers, --block and --file-mb must be positive");
            foreach (var config in options.Configs) ServerConfig.Parse(config);
            return options;
        }
    }
}
