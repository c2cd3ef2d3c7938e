using BenchmarkDotNet.Running;
using Erofs.Accel.Benchmarks;
using Erofs.Accel.Benchmarks.OpenCl;

// dotnet run -c Release --project bench/Erofs.Accel.Benchmarks -- --filter '*' [--job short] [--inProcess]
//   DecodeBenchmarks: per-backend software decoding; EROFS_BENCH_PCLUSTERS selects the pcluster loader (default: generated).
// dotnet run -c Release --project bench/Erofs.Accel.Benchmarks -- opencl-quick
//   Stopwatch harness for the OpenCL batch backend (seconds instead of minutes).
if (args is ["opencl-quick", ..]) return OpenClQuickBench.Run(Console.Out);
BenchmarkSwitcher.FromAssembly(typeof(DecodeBenchmarks).Assembly).Run(args);
return 0;
