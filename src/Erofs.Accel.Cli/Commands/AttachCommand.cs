using Erofs.Accel.Service.Control;

namespace Erofs.Accel.Cli.Commands;

/// <summary><c>attach IMAGE</c>: serve an image as a folder of the daemon's shared namespace, without a mount of its own.</summary>
internal sealed class AttachCommand : ICommand
{
    public string Name => "attach";
    public string Usage => "attach IMAGE [--name NAME] [--device FILE]... [--domain NAME] [--socket PATH]";
    public string Summary => "add an image to the daemon's shared namespace as ROOT/NAME (default NAME: the file name)";

    public int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var cl = CommandLine.Parse(args, new[] { "--name", "--device", "--domain", DaemonConnection.SocketOption }, Array.Empty<string>());
        cl.ExpectPositionals(1, 1, Usage);
        var response = DaemonConnection.Call(cl, new ControlRequest
        {
            Op = ControlOperations.Attach,
            Image = Path.GetFullPath(cl.Positionals[0]),
            Name = cl.Last("--name"),
            Devices = DaemonConnection.Absolute(cl.All("--device")),
            Domain = cl.Last("--domain"),
        });
        stdout.WriteLine(response.Message);
        return CliApp.ExitOk;
    }
}
