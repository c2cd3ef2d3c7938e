using System.Text;
using Erofs.Accel.Core.Export;

namespace Erofs.Accel.Cli.Commands;

/// <summary><c>manifest IMAGE</c>: the image's tree in the format of shared/tools/erofs-manifest.</summary>
public sealed class ManifestCommand : ICommand
{
    public string Name => "manifest";
    public string Usage => "manifest IMAGE [--no-dir-size] [--threads N]";
    public string Summary => "print one line per path (type, mode, owner, size, times, sha256, xattrs, links)";

    public int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var cl = CommandLine.Parse(args, ImageArguments.ValueOptions.Append("--threads"), ImageArguments.FlagOptions.Concat(new[] { "--no-dir-size" }));
        cl.ExpectPositionals(1, 1, Usage);
        int threads = cl.LastInt("--threads", 1, 256) ?? Math.Min(Environment.ProcessorCount, 4);
        using var session = ImageArguments.Open(cl.Positionals[0], cl);
        session.VerboseOutput = stderr;
        var image = session.Image;
        var writer = new ManifestWriter(image) { NoDirectorySize = cl.Has("--no-dir-size"), Parallelism = threads };
        var sw = new StringWriter();
        writer.Write(sw);
        using var outStream = Console.OpenStandardOutput();
        var bytes = new UTF8Encoding(false).GetBytes(sw.ToString());
        if (ReferenceEquals(stdout, Console.Out)) outStream.Write(bytes);
        else stdout.Write(sw.ToString());
        return CliApp.ExitOk;
    }
}
