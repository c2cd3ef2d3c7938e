namespace Erofs.Accel.Decompression.Engine;

/// <summary>
/// Which accelerators the engine may use: <c>auto</c>, <c>software</c>, or an ordered list such as <c>qpl,qat,opencl</c>.
/// Set from the API, the CLI (<c>--accel</c>) or the environment variable <see cref="EnvironmentVariable"/>; the CLI
/// wins over the environment, which wins over the default <c>auto</c>. Software decoding always remains the last
/// resort, so "software" inside a list changes nothing.
/// </summary>
public sealed record AccelerationPolicy
{
    /// <summary>Environment variable read by <see cref="Resolve"/> (same syntax as <c>--accel</c>).</summary>
    public const string EnvironmentVariable = "EROFS_ACCEL_POLICY";

    /// <summary>Accelerator names this library knows.</summary>
    public static readonly IReadOnlyList<string> KnownAccelerators = ["qpl", "qat", "opencl"];

    /// <summary>
    /// What <c>auto</c> creates, in order: the per-request DEFLATE accelerators. OpenCL is used only when named: it
    /// compiles kernels and calibrates at start-up and pays off only for large batches (see docs/engine.md).
    /// </summary>
    public static readonly IReadOnlyList<string> AutoAccelerators = ["qpl", "qat"];

    private static readonly string[] SoftwareWords = ["software", "sw", "none", "off"];

    private AccelerationPolicy(AccelerationMode mode, IReadOnlyList<string> accelerators)
    {
        Mode = mode;
        Accelerators = accelerators;
    }

    /// <summary>Whether accelerators are chosen automatically, not at all, or from a list.</summary>
    public AccelerationMode Mode { get; }

    /// <summary>The listed accelerators in order (empty for auto and software).</summary>
    public IReadOnlyList<string> Accelerators { get; }

    /// <summary>Use every accelerator that is present, in <see cref="AutoAccelerators"/> order; software otherwise.</summary>
    public static AccelerationPolicy Auto { get; } = new(AccelerationMode.Auto, []);

    /// <summary>Decode in software only.</summary>
    public static AccelerationPolicy SoftwareOnly { get; } = new(AccelerationMode.Software, []);

    /// <summary>A list policy; names are lower-cased, duplicates dropped.</summary>
    public static AccelerationPolicy Only(params string[] accelerators)
    {
        var names = new List<string>();
        foreach (var raw in accelerators)
        {
            var name = raw.Trim().ToLowerInvariant();
            if (name.Length == 0) throw new ArgumentException("empty accelerator name", nameof(accelerators));
            if (SoftwareWords.Contains(name) || names.Contains(name)) continue;
            names.Add(name);
        }
        return names.Count == 0 ? SoftwareOnly : new(AccelerationMode.List, names);
    }

    /// <summary>
    /// Parses "auto", "software" (or "sw", "none", "off") or a comma-separated list. Names must be among
    /// <paramref name="knownNames"/> (default <see cref="KnownAccelerators"/>); anything else throws
    /// <see cref="FormatException"/> naming the allowed values.
    /// </summary>
    public static AccelerationPolicy Parse(string text, IEnumerable<string>? knownNames = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        var known = (knownNames ?? KnownAccelerators).Select(n => n.ToLowerInvariant()).ToArray();
        var trimmed = text.Trim().ToLowerInvariant();
        if (trimmed == "auto") return Auto;
        if (SoftwareWords.Contains(trimmed)) return SoftwareOnly;
        var parts = trimmed.Split(',');
        foreach (var part in parts)
        {
            var name = part.Trim();
            if (name.Length == 0) throw new FormatException($"empty entry in accelerator list '{text}'");
            if (name == "auto") throw new FormatException("'auto' cannot be part of a list");
            if (!SoftwareWords.Contains(name) && !known.Contains(name))
                throw new FormatException($"unknown accelerator '{name}' (expected auto, software, or a list of {string.Join(", ", known)})");
        }
        return Only(parts);
    }

    /// <summary>Like <see cref="Parse"/> but returns false with a message instead of throwing.</summary>
    public static bool TryParse(string? text, out AccelerationPolicy policy, out string? error, IEnumerable<string>? knownNames = null)
    {
        policy = Auto;
        error = null;
        if (text is null)
        {
            error = "no value";
            return false;
        }
        try
        {
            policy = Parse(text, knownNames);
            return true;
        }
        catch (FormatException e)
        {
            error = e.Message;
            return false;
        }
    }

    /// <summary>
    /// The policy in force: <paramref name="commandLineValue"/> when given, else $EROFS_ACCEL_POLICY when set and
    /// not empty, else <see cref="Auto"/>. Throws <see cref="FormatException"/> for an invalid value (saying where
    /// it came from).
    /// </summary>
    public static AccelerationPolicy Resolve(string? commandLineValue = null, IEnumerable<string>? knownNames = null)
    {
        if (commandLineValue is not null) return Parse(commandLineValue, knownNames);
        var fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (string.IsNullOrWhiteSpace(fromEnvironment)) return Auto;
        try
        {
            return Parse(fromEnvironment, knownNames);
        }
        catch (FormatException e)
        {
            throw new FormatException($"{EnvironmentVariable}: {e.Message}", e);
        }
    }

    /// <summary>True when the accelerator of this name may be used.</summary>
    public bool Allows(string name) => Mode switch
    {
        AccelerationMode.Auto => true,
        AccelerationMode.Software => false,
        _ => Accelerators.Contains(name, StringComparer.OrdinalIgnoreCase),
    };

    /// <summary>True when the name was listed explicitly (its absence is then reported as a fallback).</summary>
    public bool Names(string name) => Mode == AccelerationMode.List && Accelerators.Contains(name, StringComparer.OrdinalIgnoreCase);

    /// <summary>The accelerator names to create, in order.</summary>
    public IReadOnlyList<string> AcceleratorsToCreate => Mode switch
    {
        AccelerationMode.Auto => AutoAccelerators,
        AccelerationMode.Software => [],
        _ => Accelerators,
    };

    /// <summary>The policy as the --accel option spells it ("auto", "software" or the list).</summary>
    public override string ToString() => Mode switch
    {
        AccelerationMode.Auto => "auto",
        AccelerationMode.Software => "software",
        _ => string.Join(",", Accelerators),
    };
}
