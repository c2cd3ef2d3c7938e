namespace Erofs.Accel.Cli.Commands;

/// <summary>One erofs-accel sub-command.</summary>
public interface ICommand
{
    string Name { get; }
    string Usage { get; }
    string Summary { get; }

    /// <summary>Further help lines (options), shown by 'erofs-accel help COMMAND' and 'COMMAND --help'.</summary>
    IEnumerable<string> Details => [];
    int Run(string[] args, TextWriter stdout, TextWriter stderr);
}
