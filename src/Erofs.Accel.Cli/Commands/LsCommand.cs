using Erofs.Accel.Core;
using Erofs.Accel.Core.Export;

namespace Erofs.Accel.Cli.Commands;

/// <summary><c>ls [-l] IMAGE [PATH]</c>: list a directory (or show one entry).</summary>
public sealed class LsCommand : ICommand
{
    public string Name => "ls";
    public string Usage => "ls [-l] [-a] IMAGE [PATH]";
    public string Summary => "list a directory of the image (-l: long format, -a: include . and ..)";

    public int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var cl = CommandLine.Parse(args, ImageArguments.ValueOptions, ImageArguments.FlagOptions.Concat(new[] { "-l", "-a", "-la", "-al" }));
        cl.ExpectPositionals(1, 2, Usage);
        bool longFormat = cl.Has("-l") || cl.Has("-la") || cl.Has("-al");
        bool all = cl.Has("-a") || cl.Has("-la") || cl.Has("-al");
        using var session = ImageArguments.Open(cl.Positionals[0], cl);
        session.VerboseOutput = stderr;
        var image = session.Image;
        var path = cl.Positionals.Count > 1 ? cl.Positionals[1] : "/";
        var target = image.Resolve(path, followLastSymlink: true);
        if (!target.IsDirectory)
        {
            Print(stdout, image, target, System.Text.Encoding.UTF8.GetBytes(Path.GetFileName(path.TrimEnd('/'))), longFormat);
            return CliApp.ExitOk;
        }
        foreach (var e in image.ListDirectory(target))
        {
            if (!all && (e.IsDot || e.IsDotDot)) continue;
            Print(stdout, image, image.GetInode(e.Nid), e.Name, longFormat);
        }
        return CliApp.ExitOk;
    }

    private static void Print(TextWriter w, ErofsImage image, ErofsInode ino, byte[] name, bool longFormat)
    {
        var shown = ManifestEscaping.Escape(name);
        if (!longFormat)
        {
            w.WriteLine(shown);
            return;
        }
        string size = ino.Type is Format.InodeType.CharDevice or Format.InodeType.BlockDevice
            ? $"{ino.RdevMajor}, {ino.RdevMinor}" : ino.Size.ToString();
        string suffix = ino.IsSymlink ? " -> " + ManifestEscaping.Escape(image.ReadLink(ino)) : "";
        w.WriteLine($"{ModeText.Render(ino.Type, ino.Permissions)} {ino.LinkCount,3} {ino.Uid,6} {ino.Gid,6} {size,10} {ModeText.Time(ino.MtimeSeconds, 0, false)} {shown}{suffix}");
    }
}
