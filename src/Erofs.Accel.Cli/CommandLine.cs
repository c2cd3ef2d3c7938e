namespace Erofs.Accel.Cli;

/// <summary>Thrown for wrong usage: printed as one line with a hint, exit code 2.</summary>
internal sealed class UsageException(string message) : Exception(message);

/// <summary>
/// Parsed arguments: positionals, flags and (repeatable) options. Options are declared per command so that
/// unknown ones are refused.
/// </summary>
internal sealed class CommandLine
{
    private readonly Dictionary<string, List<string>> _options = new(StringComparer.Ordinal);
    private readonly HashSet<string> _flags = new(StringComparer.Ordinal);

    public List<string> Positionals { get; } = new();

    /// <param name="args">Arguments after the command name.</param>
    /// <param name="valueOptions">Options that take a value ("--device", "--accel", ...).</param>
    /// <param name="flagOptions">Options without a value ("-l", "--force", "-v", ...).</param>
    public static CommandLine Parse(IReadOnlyList<string> args, IEnumerable<string> valueOptions, IEnumerable<string> flagOptions)
    {
        var values = new HashSet<string>(valueOptions, StringComparer.Ordinal);
        var flags = new HashSet<string>(flagOptions, StringComparer.Ordinal);
        var cl = new CommandLine();
        bool onlyPositionals = false;
        for (int i = 0; i < args.Count; i++)
        {
            var a = args[i];
            if (onlyPositionals || a == "-" || !a.StartsWith('-'))
            {
                cl.Positionals.Add(a);
                continue;
            }
            if (a == "--")
            {
                onlyPositionals = true;
                continue;
            }
            string name = a;
            string? inline = null;
            int eq = a.IndexOf('=');
            if (a.StartsWith("--") && eq > 0)
            {
                name = a[..eq];
                inline = a[(eq + 1)..];
            }
            if (values.Contains(name))
            {
                string v = inline ?? (i + 1 < args.Count ? args[++i] : throw new UsageException($"option {name} needs a value"));
                if (!cl._options.TryGetValue(name, out var list)) cl._options[name] = list = new List<string>();
                list.Add(v);
            }
            else if (flags.Contains(name) && inline is null) cl._flags.Add(name);
            else throw new UsageException($"unknown option {a}");
        }
        return cl;
    }

    public bool Has(string flag) => _flags.Contains(flag);

    public IReadOnlyList<string> All(string option) => _options.TryGetValue(option, out var l) ? l : Array.Empty<string>();

    public string? Last(string option) => _options.TryGetValue(option, out var l) ? l[^1] : null;

    public int? LastInt(string option, int min, int max)
    {
        var s = Last(option);
        if (s is null) return null;
        if (!int.TryParse(s, out int v) || v < min || v > max)
            throw new UsageException($"option {option} needs a whole number from {min} to {max}, not '{s}'");
        return v;
    }

    public void ExpectPositionals(int min, int max, string usage)
    {
        if (Positionals.Count < min || Positionals.Count > max)
            throw new UsageException($"usage: erofs-accel {usage}");
    }
}
