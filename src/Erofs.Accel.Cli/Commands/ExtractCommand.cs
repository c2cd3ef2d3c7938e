using Erofs.Accel.Core.Export;

namespace Erofs.Accel.Cli.Commands;

/// <summary><c>extract IMAGE DIR</c>: write the whole tree to a directory.</summary>
public sealed class ExtractCommand : ICommand
{
    public string Name => "extract";
    public string Usage => "extract IMAGE DIR [--force] [--jobs N] [--device FILE]... [--accel POLICY] [-q] [-v]";
    public string Summary => "write the tree with modes, owners, times, xattrs, ACLs, links and devices into DIR";

    public int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var cl = CommandLine.Parse(args, ImageArguments.ValueOptions.Append("--jobs"), ImageArguments.FlagOptions.Concat(new[] { "--force", "-q" }));
        cl.ExpectPositionals(2, 2, Usage);
        int jobs = cl.LastInt("--jobs", 1, 64) ?? new ExtractOptions().FileWriters;
        using var session = ImageArguments.Open(cl.Positionals[0], cl, concurrentReaders: jobs);
        session.VerboseOutput = stderr;
        var image = session.Image;
        var extractor = new TreeExtractor(image, new ExtractOptions
        {
            Force = cl.Has("--force"),
            FileWriters = jobs,
            Warning = cl.Has("-q") ? null : w => stderr.WriteLine($"erofs-accel extract: warning: {w}"),
        });
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var s = extractor.Extract(cl.Positionals[1]);
        sw.Stop();
        if (!cl.Has("-q"))
            stdout.WriteLine($"extracted {s.Files} files ({s.Bytes} bytes), {s.Directories} directories, {s.Symlinks} symlinks, " +
                             $"{s.Hardlinks} hardlinks, {s.SpecialFiles} special files in {sw.Elapsed.TotalSeconds:F2} s" +
                             (s.Warnings > 0 ? $"; {s.Warnings} warnings" : ""));
        return CliApp.ExitOk;
    }
}
