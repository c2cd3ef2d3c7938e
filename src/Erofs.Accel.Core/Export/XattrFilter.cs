using System.Text;

namespace Erofs.Accel.Core.Export;

/// <summary>
/// Which extended attributes an extraction restores: names matching an include pattern and no exclude pattern.
/// Patterns are globs over the full name ("user.*", "security.capability", "trusted.overlay.*"): '*' matches any
/// run of bytes, '?' one byte.
/// </summary>
public sealed class XattrFilter
{
    private readonly byte[][] _include, _exclude;

    /// <summary>A filter keeping names that match a pattern of <paramref name="include"/> and none of <paramref name="exclude"/>.</summary>
    public XattrFilter(IEnumerable<string> include, IEnumerable<string>? exclude = null)
    {
        Include = include.ToArray();
        Exclude = (exclude ?? Array.Empty<string>()).ToArray();
        _include = Include.Select(Encoding.UTF8.GetBytes).ToArray();
        _exclude = Exclude.Select(Encoding.UTF8.GetBytes).ToArray();
    }

    /// <summary>Name patterns that select xattrs.</summary>
    public IReadOnlyList<string> Include { get; }
    /// <summary>Name patterns that drop xattrs even when an include pattern selects them.</summary>
    public IReadOnlyList<string> Exclude { get; }

    /// <summary>
    /// The default: every namespace except security.* (file capabilities grant privileges to whoever runs the file;
    /// SELinux, Smack and AppArmor labels decide what a program may do; IMA/EVM values are signatures of another host).
    /// </summary>
    public static XattrFilter Default { get; } = new(new[] { "*" }, new[] { "security.*" });

    /// <summary>Every xattr the image holds.</summary>
    public static XattrFilter All { get; } = new(new[] { "*" });

    /// <summary>No xattrs (and so no POSIX ACLs).</summary>
    public static XattrFilter None { get; } = new(Array.Empty<string>());

    /// <summary>True when the xattr name (raw bytes, for example "user.foo") is kept.</summary>
    public bool Matches(ReadOnlySpan<byte> name)
    {
        bool included = false;
        foreach (var p in _include)
            if (Glob(p, name)) { included = true; break; }
        if (!included) return false;
        foreach (var p in _exclude)
            if (Glob(p, name)) return false;
        return true;
    }

    /// <summary>True when the xattr name is kept.</summary>
    public bool Matches(string name) => Matches(Encoding.UTF8.GetBytes(name));

    /// <summary>Glob match with '*' and '?' (iterative, with one backtrack point: linear in practice).</summary>
    private static bool Glob(ReadOnlySpan<byte> pattern, ReadOnlySpan<byte> text)
    {
        int p = 0, t = 0, starP = -1, starT = 0;
        while (t < text.Length)
        {
            if (p < pattern.Length && (pattern[p] == (byte)'?' || pattern[p] == text[t]))
            {
                p++;
                t++;
            }
            else if (p < pattern.Length && pattern[p] == (byte)'*')
            {
                starP = p++;
                starT = t;
            }
            else if (starP >= 0)
            {
                p = starP + 1;
                t = ++starT;
            }
            else return false;
        }
        while (p < pattern.Length && pattern[p] == (byte)'*') p++;
        return p == pattern.Length;
    }

    /// <summary>The patterns, as the CLI takes them.</summary>
    public override string ToString() =>
        $"include {string.Join(",", Include)}" + (Exclude.Count > 0 ? $" exclude {string.Join(",", Exclude)}" : "");
}
