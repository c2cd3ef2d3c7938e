namespace Erofs.Accel.Cli.Commands;

/// <summary>One erofs-accel sub-command.</summary>
internal interface ICommand
{
    string Name { get; }
    string Usage { get; }
    string Summary { get; }

    /// <summary>More help for 'COMMAND --help' (options, defaults); null when the usage line says it all.</summary>
    string? Details => null;
    int Run(string[] args, TextWriter stdout, TextWriter stderr);
}
