using Erofs.Accel.Core.Export;

namespace Erofs.Accel.Cli.Commands;

/// <summary><c>extract IMAGE DIR [PATH...]</c>: write the tree, or chosen paths of it, to a directory.</summary>
internal sealed class ExtractCommand : ICommand
{
    private static readonly string[] Flags =
    {
        "--overwrite", "--force", "-q", "--same-owner", "--no-same-owner", "-p", "--same-permissions", "--no-same-permissions",
        "--devices", "--no-devices", "--xattrs", "--no-xattrs", "--no-preserve",
    };

    public string Name => "extract";

    public string Usage => "extract IMAGE DIR [PATH...] [--overwrite] [--no-preserve] [-p] [--devices] [--xattrs] [--jobs N] [-q] [-v] (more: --help)";

    public string Summary => "write the tree (or the PATHs named, with their parents) into DIR with modes, times, xattrs, ACLs and links";

    public string Details =>
        """
          Defaults, like GNU tar's, are safe for whoever runs it:
            as a normal user: files are yours, the umask applies, no setuid/setgid/sticky bits, no POSIX ACLs
            as root:          the image's owners and permission bits (sticky kept), umask ignored,
                              but no setuid/setgid bits, no device nodes and no security.* xattrs
                              (file capabilities, security labels) unless asked for below.
          DIR itself keeps its owner, mode and times; DIR must be empty unless --overwrite; / is always refused.
          --overwrite (--force)      extract into a non-empty DIR, replacing non-directories in the way
          --same-owner               restore owners (default as root); --no-same-owner: files belong to you
          -p, --same-permissions     exact permission bits incl. setuid/setgid/sticky, umask ignored, ACLs restored
          --no-same-permissions      rwx bits minus the umask, no setuid/setgid/sticky, no ACLs (default as a user)
          --devices                  create character and block devices (default: skipped and counted)
          --xattrs / --no-xattrs     restore every xattr / none (default: all but security.*)
          --xattrs-include PATTERN   restore only xattrs whose names match (glob, repeatable), e.g. 'user.*'
          --xattrs-exclude PATTERN   never restore these (repeatable)
          --no-preserve              plain files as you would create them: no owners, umask, no xattrs, no devices,
                                     extraction time as mtime (explicit options above still apply)
          --jobs N                   files written at once (default: processors, at most 8)
        """ + "\n  limits: " + ScanArguments.Help;

    public int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var cl = CommandLine.Parse(args,
            ImageArguments.ValueOptions.Concat(ScanArguments.ValueOptions).Concat(new[] { "--jobs", "--xattrs-include", "--xattrs-exclude" }),
            ImageArguments.FlagOptions.Concat(Flags));
        cl.ExpectPositionals(2, int.MaxValue, Usage);
        bool quiet = cl.Has("-q");
        var options = Options(cl, quiet ? null : w => stderr.WriteLine($"erofs-accel extract: warning: {w}"));
        using var session = ImageArguments.Open(cl.Positionals[0], cl, concurrentReaders: options.FileWriters);
        session.VerboseOutput = stderr;
        var progress = !quiet && ReferenceEquals(stderr, Console.Error) && !Console.IsErrorRedirected ? new TerminalProgress(stderr, TimeSpan.FromSeconds(1)) : null;
        var sw = System.Diagnostics.Stopwatch.StartNew();
        ExtractSummary s;
        try
        {
            s = session.Image.ExtractToDirectory(cl.Positionals[1], options, progress);
        }
        catch (Exception e) when (ScanArguments.WithFlags(e) is var reworded && !ReferenceEquals(reworded, e))
        {
            throw reworded;
        }
        finally
        {
            progress?.Clear();
        }
        sw.Stop();
        if (quiet) return CliApp.ExitOk;
        stdout.WriteLine($"extracted {s.Files} files ({s.Bytes} bytes), {s.Directories} directories, {s.Symlinks} symlinks, " +
                         $"{s.Hardlinks} hardlinks, {s.SpecialFiles} special files in {sw.Elapsed.TotalSeconds:F2} s" +
                         (s.Warnings > 0 ? $"; {s.Warnings} warnings" : ""));
        if (s.SkippedDevices > 0)
            stderr.WriteLine($"erofs-accel extract: note: {s.SkippedDevices} device nodes not created (--devices creates them)");
        if (s.DroppedSetuidSetgid > 0)
            stderr.WriteLine($"erofs-accel extract: note: {s.DroppedSetuidSetgid} setuid/setgid bits not restored (-p restores them where the owner is the image's)");
        if (s.SkippedXattrs > 0)
            stderr.WriteLine($"erofs-accel extract: note: {s.SkippedXattrs} xattrs not restored ({DescribeXattrChoice(options)})");
        return CliApp.ExitOk;
    }

    private static string DescribeXattrChoice(ExtractOptions o) =>
        o.Xattrs == XattrFilter.Default && o.ApplyUmask ? "security.* and, with the umask applied, ACLs; --xattrs and -p restore them"
        : o.Xattrs == XattrFilter.Default ? "security.*; --xattrs restores them"
        : o.ApplyUmask ? "left out by the xattr options, and ACLs with the umask applied" : "left out by the xattr options";

    private static ExtractOptions Options(CommandLine cl, Action<string>? warning)
    {
        var defaults = new ExtractOptions();
        bool noPreserve = cl.Has("--no-preserve");
        bool? owners = Choice(cl, "--same-owner", "--no-same-owner");
        bool? exact = cl.Has("-p") || cl.Has("--same-permissions") ? true : cl.Has("--no-same-permissions") ? false : null;
        if (exact == true && cl.Has("--no-same-permissions"))
            throw new UsageException("--same-permissions and --no-same-permissions contradict each other");
        bool? devices = Choice(cl, "--devices", "--no-devices");
        bool? allXattrs = Choice(cl, "--xattrs", "--no-xattrs");
        var baseFilter = allXattrs switch { true => XattrFilter.All, false => XattrFilter.None, _ => noPreserve ? XattrFilter.None : XattrFilter.Default };
        var include = cl.All("--xattrs-include");
        var exclude = cl.All("--xattrs-exclude");
        var filter = include.Count > 0 ? new XattrFilter(include, exclude)
            : exclude.Count > 0 ? new XattrFilter(baseFilter.Include, baseFilter.Exclude.Concat(exclude))
            : baseFilter;
        return new ExtractOptions
        {
            Paths = cl.Positionals.Skip(2).Select(CheckedPath).ToArray(),
            Overwrite = cl.Has("--overwrite") || cl.Has("--force"),
            RestoreOwners = owners ?? (!noPreserve && defaults.RestoreOwners),
            ApplyUmask = exact is { } e ? !e : noPreserve || defaults.ApplyUmask,
            RestoreSetuidSetgid = exact == true,
            CreateDevices = devices ?? false,
            Xattrs = filter,
            RestoreTimes = !noPreserve,
            Limits = ScanArguments.Limits(cl),
            FileWriters = cl.LastInt("--jobs", 1, 64) ?? defaults.FileWriters,
            Warning = warning,
        };
    }

    private static string CheckedPath(string path)
    {
        if (path.Split('/').Contains(".."))
            throw new UsageException($"{path}: a path to extract is a path inside the image and may not contain '..'");
        return path;
    }

    private static bool? Choice(CommandLine cl, string yes, string no)
    {
        if (cl.Has(yes) && cl.Has(no)) throw new UsageException($"{yes} and {no} contradict each other");
        return cl.Has(yes) ? true : cl.Has(no) ? false : null;
    }
}
