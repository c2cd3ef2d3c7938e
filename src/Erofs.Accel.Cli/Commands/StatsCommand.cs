using Erofs.Accel.Service.Control;
using Erofs.Accel.Service.Metrics;
using Erofs.Accel.Service.Reporting;

namespace Erofs.Accel.Cli.Commands;

/// <summary><c>stats</c>: the daemon's counters per image and per backend, as text, JSON or Prometheus exposition.</summary>
internal sealed class StatsCommand : ICommand
{
    public string Name => "stats";
    public string Usage => "stats [--json | --prometheus] [--socket PATH]";
    public string Summary => "per-image and per-backend counters of the daemon (requests, bytes, fallbacks, cache, latency)";

    public int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var cl = CommandLine.Parse(args, new[] { DaemonConnection.SocketOption }, new[] { "--json", "--prometheus" });
        cl.ExpectPositionals(0, 0, Usage);
        if (cl.Has("--json") && cl.Has("--prometheus")) throw new UsageException("choose one of --json and --prometheus");
        var stats = DaemonConnection.Call(cl, new ControlRequest { Op = ControlOperations.Stats }).Stats
            ?? throw new IOException("the daemon answered stats without statistics");
        stdout.Write(cl.Has("--json") ? ServiceReports.StatisticsJson(stats)
            : cl.Has("--prometheus") ? PrometheusWriter.Write(stats)
            : ServiceReports.StatisticsText(stats));
        return CliApp.ExitOk;
    }
}
