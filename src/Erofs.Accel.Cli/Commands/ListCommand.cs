using Erofs.Accel.Service.Control;
using Erofs.Accel.Service.Reporting;

namespace Erofs.Accel.Cli.Commands;

/// <summary><c>list</c>: every image the daemon serves.</summary>
internal sealed class ListCommand : ICommand
{
    public string Name => "list";
    public string Usage => "list [--json] [--socket PATH]";
    public string Summary => "images the daemon serves: name, mount point or folder, image, policy, uptime, bytes served";

    public int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var cl = CommandLine.Parse(args, new[] { DaemonConnection.SocketOption }, new[] { "--json" });
        cl.ExpectPositionals(0, 0, Usage);
        var mounts = DaemonConnection.Call(cl, new ControlRequest { Op = ControlOperations.List }).Mounts ?? new();
        stdout.Write(cl.Has("--json") ? ServiceReports.ListJson(mounts) : ServiceReports.ListText(mounts));
        return CliApp.ExitOk;
    }
}
