using Erofs.Accel.Fuzz;

// erofs-accel-fuzz mutate [--corpus DIR] [--image NAME] [--seconds N] [--execs N] [--seed N] [--findings DIR]
// erofs-accel-fuzz replay FILE.erofs [--device FILE]...
// erofs-accel-fuzz afl          (under afl-fuzz with instrumented assemblies: tests/Erofs.Accel.Fuzz/run-afl.sh)
if (args.Length == 0 || args[0] is not ("mutate" or "replay" or "afl"))
{
    Console.Error.WriteLine("usage: erofs-accel-fuzz mutate [--corpus DIR] [--image NAME] [--seconds N] [--execs N] [--seed N] [--findings DIR]");
    Console.Error.WriteLine("       erofs-accel-fuzz replay FILE.erofs [--device FILE]...");
    Console.Error.WriteLine("       erofs-accel-fuzz afl      (run by tests/Erofs.Accel.Fuzz/run-afl.sh)");
    return 2;
}
if (args[0] == "afl") return AflTarget.Run();
string? Opt(string name) { int i = Array.IndexOf(args, name); return i >= 0 && i + 1 < args.Length ? args[i + 1] : null; }

if (args[0] == "replay")
{
    var devices = new List<byte[]>();
    for (int i = 2; i < args.Length - 1; i++) if (args[i] == "--device") devices.Add(File.ReadAllBytes(args[i + 1]));
    var runner = new FuzzRunner(Array.Empty<SeedImage>(), new FuzzOptions());
    var v = runner.RunOne(File.ReadAllBytes(args[1]), devices, 0, out bool rejected);
    Console.WriteLine(v is null ? (rejected ? "ok: rejected with a typed error" : "ok: read without error") : "VIOLATION: " + v);
    return v is null ? 0 : 1;
}

var corpus = Opt("--corpus") ?? Environment.GetEnvironmentVariable("EROFS_ACCEL_CORPUS")
             ?? Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "..", "shared", "corpus"));
if (!Directory.Exists(corpus))
{
    Console.Error.WriteLine($"erofs-accel-fuzz: corpus folder {corpus} not found (use --corpus DIR)");
    return 2;
}
var seeds = SeedImage.LoadCorpus(corpus, Opt("--image"));
if (seeds.Count == 0)
{
    Console.Error.WriteLine("erofs-accel-fuzz: no seed images");
    return 2;
}
var options = new FuzzOptions
{
    Executions = long.TryParse(Opt("--execs"), out var e) ? e : long.MaxValue,
    Duration = double.TryParse(Opt("--seconds"), out var s) ? TimeSpan.FromSeconds(s) : (Opt("--execs") is null ? TimeSpan.FromSeconds(60) : TimeSpan.MaxValue),
    Seed = int.TryParse(Opt("--seed"), out var seed) ? seed : 1,
    FindingsDirectory = Opt("--findings") ?? "fuzz-findings",
};
Console.WriteLine($"fuzz: {seeds.Count} seed images, {seeds.Sum(x => x.Hotspots.Count)} hotspots, seed {options.Seed}");
return new FuzzRunner(seeds, options).Run();
