using Erofs.Accel.Core;
using Erofs.Accel.Core.Export;
using Erofs.Accel.Format;

namespace Erofs.Accel.Cli.Commands;

/// <summary><c>stat IMAGE PATH</c>: every attribute of one inode, its layout and xattrs.</summary>
public sealed class StatCommand : ICommand
{
    public string Name => "stat";
    public string Usage => "stat IMAGE PATH [-L]";
    public string Summary => "show an inode: type, mode, owner, size, links, times, layout, xattrs (-L: follow a symlink)";

    public int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var cl = CommandLine.Parse(args, ImageArguments.ValueOptions, ImageArguments.FlagOptions.Concat(new[] { "-L" }));
        cl.ExpectPositionals(2, 2, Usage);
        using var session = ImageArguments.Open(cl.Positionals[0], cl);
        session.VerboseOutput = stderr;
        var image = session.Image;
        var ino = image.Resolve(cl.Positionals[1], followLastSymlink: cl.Has("-L"));
        void Line(string k, object v) => stdout.WriteLine($"{k,-12} {v}");
        Line("path", cl.Positionals[1]);
        Line("nid", ErofsException.FormatNid(ino.Nid));
        Line("type", ino.Type);
        Line("mode", $"{Convert.ToString(ino.Permissions, 8).PadLeft(4, '0')} ({ModeText.Render(ino.Type, ino.Permissions)})");
        Line("uid/gid", $"{ino.Uid}/{ino.Gid}");
        Line("size", ino.Size);
        Line("links", ino.LinkCount);
        Line("mtime", ModeText.Time(ino.MtimeSeconds, ino.MtimeNanoseconds, true));
        if (ino.Type is InodeType.CharDevice or InodeType.BlockDevice) Line("rdev", $"{ino.RdevMajor}:{ino.RdevMinor}");
        if (ino.IsSymlink) Line("target", ManifestEscaping.Escape(image.ReadLink(ino)));
        Line("inode", ino.IsExtended ? "extended (64 bytes)" : "compact (32 bytes)");
        Line("layout", ino.Layout);
        Line("on disk", $"{ino.AllocatedBytes} bytes");
        if (ino.IsCompressed && ino.Size > 0)
        {
            var e = image.MapCompressedExtent(ino, 0);
            Line("first extent", $"[{e.LogicalStart}, {e.LogicalEnd}) {e.Kind}{(e.Kind == Core.Data.ExtentKind.Compressed ? " " + Decompression.CompressionAlgorithms.Name(e.Algorithm) : "")}, {e.PhysicalLength} bytes at {e.PhysicalAddress}");
        }
        var xattrs = image.ListXattrs(ino);
        Line("xattrs", xattrs.Count);
        foreach (var x in xattrs)
            stdout.WriteLine($"  {ManifestEscaping.EscapeXattrName(x.Name)} = {Printable(x.Value)}");
        return CliApp.ExitOk;
    }

    private static string Printable(byte[] v)
    {
        foreach (var b in v)
            if (b < 0x20 || b > 0x7E) return "0x" + Convert.ToHexStringLower(v);
        return "\"" + System.Text.Encoding.ASCII.GetString(v) + "\"";
    }
}
