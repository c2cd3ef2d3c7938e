using System.Globalization;
using System.Text;
using Erofs.Accel.Cli.Commands;

namespace Erofs.Accel.Cli.Mounting;

/// <summary>
/// The <c>-o</c> options of <c>mount</c>, with the names and meanings of FUSE, erofsfuse and mount(8): what each
/// does, how it is parsed, and the words mount(8) and fstab pass that have no effect on a read-only FUSE mount. Every
/// other name is refused with that name. The help text and the man page list this table.
/// </summary>
internal static class MountOptionTable
{
    /// <summary>One option: its name, the value it takes (null: a flag), what it does, and how it changes the options.</summary>
    public sealed record Option(string Name, string? Value, string Help, Func<MountOptions, string, MountOptions> Apply);

    public static readonly IReadOnlyList<Option> Options =
    [
        new("ro", null, "read-only: always (accepted for fstab)", (o, _) => o),
        new("allow_other", null, "let other users use the mount (off by default; a user other than root needs user_allow_other in /etc/fuse.conf)",
            (o, _) => o with { AllowOther = true }),
        new("default_permissions", null, "the kernel checks modes and owners against the caller: always on", (o, _) => o),
        new("device", "PATH", "an extra device (blob, tar file) of a multi-device image; repeat in device-table order (= --device)",
            (o, v) => o with { Settings = o.Settings with { Devices = [.. o.Settings.Devices, NonEmpty("device", v)] } }),
        new("offset", "N", "the image starts N bytes into the file or block device (= --offset; through mount(8) and fstab it becomes a loop device)",
            (o, v) => o with { Settings = o.Settings with { Offset = ImageArguments.ParseOffset(v, "offset=") } }),
        new("accel", "POLICY", "decompression offload: auto, software, or accelerators joined by + such as qpl+qat+opencl (= --accel)",
            (o, v) => o with { Settings = o.Settings with { Accel = Policy(v) } }),
        new("cache_mb", "N", "decoded-pcluster cache in MiB, 0 to 65536 (default 128; = --cache-mb)",
            (o, v) => o with { Settings = o.Settings with { CacheMegabytes = Int("cache_mb", v, 0, ImageArguments.MaxCacheMegabytes) } }),
        new("max_inflight", "N", "requests queued per accelerator, 1 to 65536 (default 256; = --max-inflight)",
            (o, v) => o with { Settings = o.Settings with { MaxInflight = Int("max_inflight", v, 1, ImageArguments.MaxInflight) } }),
        new("max_workers", "N", "FUSE worker threads, 1 to 256 (default 16; = --max-workers)",
            (o, v) => o with { MaxWorkers = Int("max_workers", v, 1, 256) }),
        new("max_read", "N", "largest read request in bytes, 4096 to 16777216 (default 1048576)",
            (o, v) => o with { MaxReadBytes = Int("max_read", v, 4096, 16 << 20) }),
        new("fsname", "NAME", "the source shown in the mount table (default: the image's absolute path)",
            (o, v) => o with { FsName = NonEmpty("fsname", v) }),
        new("subtype", "NAME", "the mount table shows the type fuse.NAME (default erofs-accel)",
            (o, v) => o with { Subtype = Subtype(v) }),
        new("noexec", null, "programs on the mount cannot be run", (o, _) => o with { NoExec = true }),
        new("exec", null, "programs on the mount can be run (default)", (o, _) => o with { NoExec = false }),
        new("nosuid", null, "set-user-id bits are ignored: always", (o, _) => o),
        new("nodev", null, "device files cannot be opened: always", (o, _) => o),
        new("auto_unmount", null, "unmount when the server dies, even by SIGKILL: always", (o, _) => o),
        new("log", "syslog|stderr|FILE", "where the server logs warnings and per-file read errors (default in the background: syslog through /dev/log, else /var/log/erofs-accel.log for root)",
            (o, v) => o with { Log = NonEmpty("log", v) }),
        new("sandbox", "on|off", "once mounted, the server gives up root, capabilities and most system calls (default on; off = --no-sandbox)",
            (o, v) => o with { Sandbox = OnOff("sandbox", v) }),
        new("uring", "on|off", "FUSE over io_uring: on requires it, off uses the classic /dev/fuse transport (default: io_uring where the kernel offers it; = --transport uring|classic)",
            (o, v) => o with { Uring = OnOff("uring", v) }),
        new("prefill", "on|off", "after a small read of a compressed file, put the rest of the extents decoded for it into the page cache, as the kernel's EROFS does; after a folder's small files are read in order, the ones that follow too (default on)",
            (o, v) => o with { Prefill = OnOff("prefill", v) }),
    ];

    /// <summary>
    /// Words mount(8) and fstab pass that change nothing on a read-only FUSE mount; accepted and ignored. rw among
    /// them: mount(8) passes it when no ro is given, and the mount is read-only regardless.
    /// </summary>
    public static readonly IReadOnlyList<string> Ignored =
    [
        "rw", "defaults", "auto", "noauto", "user", "nouser", "users", "owner", "group", "_netdev", "nofail", "silent", "loud",
        "atime", "noatime", "relatime", "norelatime", "strictatime", "nostrictatime", "lazytime", "nolazytime",
        "diratime", "nodiratime", "async", "sync", "dirsync",
    ];

    /// <summary>Prefixes of options meant for other programs (systemd, comments); accepted and ignored.</summary>
    public static readonly IReadOnlyList<string> IgnoredPrefixes = ["x-", "comment="];

    /// <summary>Options with a FUSE or mount(8) name that erofs-accel refuses, with the reason.</summary>
    public static readonly IReadOnlyDictionary<string, string> Refused = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["suid"] = "erofs-accel always mounts nosuid",
        ["dev"] = "erofs-accel always mounts nodev",
        ["uid"] = "owners are served as the image stores them",
        ["gid"] = "owners are served as the image stores them",
        ["umask"] = "modes are served as the image stores them",
    };

    /// <summary>
    /// Applies one -o string (comma-separated; a backslash protects a comma or backslash inside a value). Unknown names
    /// are refused, or with <paramref name="sloppy"/> (mount(8) -s) added to <paramref name="warnings"/>.
    /// </summary>
    public static MountOptions Apply(MountOptions options, string optionString, bool sloppy = false, List<string>? warnings = null)
    {
        foreach (var item in Split(optionString))
        {
            int eq = item.IndexOf('=');
            var name = eq < 0 ? item : item[..eq];
            var value = eq < 0 ? null : item[(eq + 1)..];
            var option = Options.FirstOrDefault(o => o.Name == name);
            if (option is not null)
            {
                if (option.Value is null && value is not null) throw new UsageException($"option {name} takes no value");
                if (option.Value is not null && value is null) throw new UsageException($"option {name}= needs a value ({name}={option.Value})");
                options = option.Apply(options, value ?? "");
                continue;
            }
            if (value is null && Ignored.Contains(name)) continue;
            if (IgnoredPrefixes.Any(p => item.StartsWith(p, StringComparison.Ordinal))) continue;
            var message = Refused.TryGetValue(name, out var why) ? $"option {name} is not supported: {why}" : $"unknown option {name} (see 'erofs-accel help mount')";
            if (sloppy && !Refused.ContainsKey(name)) warnings?.Add(message + "; ignored (-s)");
            else throw new UsageException(message);
        }
        return options;
    }

    public static IEnumerable<string> Split(string optionString)
    {
        var current = new StringBuilder();
        for (int i = 0; i < optionString.Length; i++)
        {
            char c = optionString[i];
            if (c == '\\' && i + 1 < optionString.Length)
            {
                current.Append(optionString[++i]);
            }
            else if (c == ',')
            {
                if (current.Length > 0) yield return current.ToString();
                current.Clear();
            }
            else current.Append(c);
        }
        if (current.Length > 0) yield return current.ToString();
    }

    public static string Escape(string value) => value.Replace("\\", "\\\\").Replace(",", "\\,");

    /// <summary>One line per option, for help texts.</summary>
    public static IEnumerable<string> HelpLines()
    {
        foreach (var o in Options)
            yield return $"  {(o.Value is null ? o.Name : $"{o.Name}={o.Value}"),-24} {o.Help}";
        yield return $"  ignored (mount(8) and fstab words): {string.Join(' ', Ignored)}, x-*, comment=*";
        yield return $"  refused: {string.Join(", ", Refused.Select(r => $"{r.Key} ({r.Value})"))}";
    }

    private static string NonEmpty(string name, string value) =>
        value.Length > 0 ? value : throw new UsageException($"option {name}= needs a value");

    /// <summary>A policy list uses + between names in -o (a comma would end the option); --accel takes commas.</summary>
    private static string Policy(string value)
    {
        var policy = value.Replace('+', ',');
        ImageArguments.Policy(policy, "accel=");
        return policy;
    }

    private static bool OnOff(string name, string value) => value switch
    {
        "on" => true,
        "off" => false,
        _ => throw new UsageException($"option {name}= takes on or off, not '{value}'"),
    };

    private static int Int(string name, string value, int min, int max)
    {
        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < min || n > max)
            throw new UsageException($"option {name}= needs a whole number from {min} to {max}, not '{value}'");
        return n;
    }

    private static string Subtype(string value)
    {
        if (value.Length == 0 || value.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')))
            throw new UsageException($"option subtype= takes letters, digits, '-', '_' and '.', not '{value}'");
        return value;
    }
}
