using System.Buffers;

namespace Erofs.Accel.Cli.Commands;

/// <summary><c>cat IMAGE PATH</c>: raw file bytes to stdout.</summary>
internal sealed class CatCommand : ICommand
{
    public string Name => "cat";
    public string Usage => "cat IMAGE PATH";
    public string Summary => "write a file's bytes to stdout (symlinks are followed)";

    public int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var cl = CommandLine.Parse(args, ImageArguments.ValueOptions, ImageArguments.FlagOptions);
        cl.ExpectPositionals(2, 2, Usage);
        using var session = ImageArguments.Open(cl.Positionals[0], cl);
        session.VerboseOutput = stderr;
        var image = session.Image;
        var ino = image.Resolve(cl.Positionals[1], followLastSymlink: true);
        if (ino.IsDirectory) throw new IOException($"{cl.Positionals[1]}: is a directory");
        if (!ino.IsRegularFile) throw new IOException($"{cl.Positionals[1]}: not a regular file ({ino.Type})");
        using var output = Console.OpenStandardOutput();
        var buf = ArrayPool<byte>.Shared.Rent(1 << 20);
        try
        {
            long off = 0;
            while (off < (long)ino.Size)
            {
                int n = image.Read(ino, off, buf);
                if (n <= 0) break;
                output.Write(buf, 0, n);
                off += n;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buf);
        }
        return CliApp.ExitOk;
    }
}
