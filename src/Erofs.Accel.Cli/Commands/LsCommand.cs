using System.Text;
using Erofs.Accel.Cli.Json;
using Erofs.Accel.Core;
using Erofs.Accel.Core.Export;

namespace Erofs.Accel.Cli.Commands;

/// <summary>
/// <c>ls [-l] [-a] [-R] IMAGE [PATH]</c>: list a directory (or show one entry); -R lists the whole tree under PATH,
/// one full path a line (like find, or unsquashfs -l; with -l like unsquashfs -lls), from metadata only: no file data
/// is read or decoded.
/// </summary>
internal sealed class LsCommand : ICommand
{
    public string Name => "ls";
    public string Usage => "ls [-l] [-a] [-R] [--json] IMAGE [PATH]";
    public string Summary => "list a directory (-l: long format, -a: include . and .., -R: the whole tree as full paths, --json)";

    private static readonly string[] Flags = { "-l", "-a", "-R", "--json" };

    public int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var cl = CommandLine.Parse(ExpandShortFlags(args), ImageArguments.ValueOptions, ImageArguments.FlagOptions.Concat(Flags));
        cl.ExpectPositionals(1, 2, Usage);
        bool longFormat = cl.Has("-l"), all = cl.Has("-a"), recursive = cl.Has("-R"), json = cl.Has("--json");
        using var session = ImageArguments.Open(cl.Positionals[0], cl);
        session.VerboseOutput = stderr;
        var image = session.Image;
        var path = cl.Positionals.Count > 1 ? cl.Positionals[1] : "/";
        var target = image.Resolve(path, followLastSymlink: true);
        var entries = new List<EntryDocument>();
        void Emit(ErofsInode ino, string shownPath, string shownName, string shown)
        {
            if (json) entries.Add(InodeText.Document(image, ino, shownPath, shownName));
            else stdout.WriteLine(longFormat ? InodeText.LongLine(image, ino, shown) : shown);
        }
        if (recursive)
        {
            var start = Encoding.UTF8.GetBytes(Normalize(path));
            foreach (var node in TreeWalker.Walk(image, target, start))
            {
                var shownPath = ManifestEscaping.Escape(node.Path);
                Emit(node.Inode, shownPath, NameOf(shownPath), shownPath);
            }
        }
        else if (!target.IsDirectory)
        {
            var name = ManifestEscaping.Escape(Encoding.UTF8.GetBytes(Path.GetFileName(path.TrimEnd('/'))));
            Emit(target, Normalize(path), name, name);
        }
        else
        {
            var dirPath = Encoding.UTF8.GetBytes(Normalize(path));
            foreach (var e in image.ListDirectory(target))
            {
                if (!all && (e.IsDot || e.IsDotDot)) continue;
                var name = ManifestEscaping.Escape(e.Name);
                var childPath = e.IsDot || e.IsDotDot ? name : ManifestEscaping.Escape(TreeWalker.Join(dirPath, e.Name));
                Emit(image.GetInode(e.Nid), childPath, name, name);
            }
        }
        if (json) CliJson.Write(stdout, new ListingDocument(cl.Positionals[0], Normalize(path), recursive, entries), CliJson.Context.ListingDocument);
        return CliApp.ExitOk;
    }

    /// <summary>"-lR" and the like as separate flags.</summary>
    private static string[] ExpandShortFlags(string[] args) =>
        args.SelectMany(a => a.Length > 2 && a[0] == '-' && a[1] != '-' && a.Skip(1).All(c => c is 'l' or 'a' or 'R')
            ? a.Skip(1).Select(c => "-" + c)
            : new[] { a }).ToArray();

    /// <summary>The path as the image's root-relative absolute form: "/" + components, no trailing or doubled slashes.</summary>
    private static string Normalize(string path)
    {
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        return "/" + string.Join('/', parts);
    }

    private static string NameOf(string shownPath) => shownPath == "/" ? "/" : shownPath[(shownPath.LastIndexOf('/') + 1)..];
}
