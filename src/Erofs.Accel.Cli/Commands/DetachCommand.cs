using Erofs.Accel.Service.Control;

namespace Erofs.Accel.Cli.Commands;

/// <summary><c>detach NAME</c>: take an image out of the daemon (refused while its files are open, unless --force).</summary>
internal sealed class DetachCommand : ICommand
{
    public string Name => "detach";
    public string Usage => "detach NAME [--force] [--socket PATH]";
    public string Summary => "remove an image from the daemon (refused while its files are in use unless --force)";

    public int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var cl = CommandLine.Parse(args, new[] { DaemonConnection.SocketOption }, new[] { "--force" });
        cl.ExpectPositionals(1, 1, Usage);
        var response = DaemonConnection.Call(cl, new ControlRequest { Op = ControlOperations.Detach, Name = cl.Positionals[0], Force = cl.Has("--force") });
        stdout.WriteLine(response.Message);
        return CliApp.ExitOk;
    }
}
