namespace Erofs.Accel.Cli.Commands;

/// <summary>One erofs-accel sub-command.</summary>
public interface ICommand
{
    string Name { get; }
    string Usage { get; }
    string Summary { get; }
    int Run(string[] args, TextWriter stdout, TextWriter stderr);
}
