using BenchmarkDotNet.Running;
using Erofs.Accel.Benchmarks;
using Erofs.Accel.Benchmarks.OpenCl;
using Erofs.Accel.Benchmarks.ReadPath;

// dotnet run -c Release --project bench/Erofs.Accel.Benchmarks -- --filter '*' [--job short] [--inProcess]
//   DecodeBenchmarks: per-backend software decoding; EROFS_BENCH_PCLUSTERS selects the pcluster loader (default: generated).
// dotnet run -c Release --project bench/Erofs.Accel.Benchmarks -- opencl-quick [--short]
//   Stopwatch harness for the OpenCL batch backend (seconds instead of minutes): calibration, fixed cost, batch sizes
//   against software on one and on every core, stage times, and the issue-20 targets.
if (args is ["opencl-quick", ..]) return OpenClQuickBench.Run(Console.Out, shortRun: args.Contains("--short"));
// dotnet run -c Release --project bench/Erofs.Accel.Benchmarks -- read-quick [IMAGE [cached|uncached|sequential]]
//   Stopwatch harness for the reader's per-request cost (ReadPathBenchmarks; EROFS_BENCH_IMAGE selects the image).
if (args is ["read-quick", .. var rest]) return ReadPathQuickBench.Run(Console.Out, rest.Length > 0 ? rest[0] : null, rest.Length > 1 ? rest[1] : null);
BenchmarkSwitcher.FromAssembly(typeof(DecodeBenchmarks).Assembly).Run(args);
return 0;
