using System.Text;
using Erofs.Accel.Core.Export;

namespace Erofs.Accel.Cli.Commands;

/// <summary><c>manifest IMAGE</c>: the image's tree in the format of shared/tools/erofs-manifest, streamed.</summary>
internal sealed class ManifestCommand : ICommand
{
    public string Name => "manifest";
    public string Usage => "manifest IMAGE [--no-dir-size] [--threads N] [--max-file-bytes N] [--max-total-bytes N] [--timeout S]";
    public string Summary => "print one line per path (type, mode, owner, size, times, sha256, xattrs, links)";
    public string Details => "  lines are written as they are ready (a failure leaves the lines before it and exits 1)\n  limits: " + ScanArguments.Help;

    public int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var cl = CommandLine.Parse(args, ImageArguments.ValueOptions.Concat(ScanArguments.ValueOptions).Append("--threads"),
            ImageArguments.FlagOptions.Concat(new[] { "--no-dir-size" }));
        cl.ExpectPositionals(1, 1, Usage);
        int threads = cl.LastInt("--threads", 1, 256) ?? Math.Min(Environment.ProcessorCount, 4);
        var limits = ScanArguments.Limits(cl);
        using var session = ImageArguments.Open(cl.Positionals[0], cl, concurrentReaders: threads);
        session.VerboseOutput = stderr;
        var writer = new ManifestWriter(session.Image) { NoDirectorySize = cl.Has("--no-dir-size"), Parallelism = threads, Limits = limits };
        // straight to the standard output as UTF-8 (no BOM), not through Console.Out's encoder and locking
        using var direct = ReferenceEquals(stdout, Console.Out) ? new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false), 1 << 16) : null;
        try
        {
            writer.Write(direct ?? stdout);
        }
        catch (Exception e) when (ScanArguments.WithFlags(e) is var reworded && !ReferenceEquals(reworded, e))
        {
            throw reworded;
        }
        return CliApp.ExitOk;
    }
}
