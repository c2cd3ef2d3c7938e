using Erofs.Accel.Cli.Json;
using Erofs.Accel.Core;
using Erofs.Accel.Core.Export;
using Erofs.Accel.Core.Inspection;
using Erofs.Accel.Format;

namespace Erofs.Accel.Cli.Commands;

/// <summary>
/// <c>stat IMAGE PATH</c> or <c>stat IMAGE --nid N</c>: every attribute of one inode, its layout and xattrs;
/// <c>-e</c> adds the extent list (like dump.erofs -e), from metadata only.
/// </summary>
internal sealed class StatCommand : ICommand
{
    public string Name => "stat";
    public string Usage => "stat IMAGE (PATH | --nid N) [-L] [-e|--extents] [--json]";
    public string Summary => "show an inode: type, mode, owner, size, links, times, layout, xattrs (-L: follow a symlink, -e: its extents)";

    public int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var cl = CommandLine.Parse(args, ImageArguments.ValueOptions.Concat(new[] { "--nid" }),
            ImageArguments.FlagOptions.Concat(new[] { "-L", "-e", "--extents", "--json" }));
        string? nidText = cl.Last("--nid");
        cl.ExpectPositionals(nidText is null ? 2 : 1, nidText is null ? 2 : 1, Usage);
        ulong nid = 0;
        if (nidText is not null && !TryParseNid(nidText, out nid))
            throw new UsageException($"--nid needs an inode number (decimal, or metabox:N), not '{nidText}'");
        bool withExtents = cl.Has("-e") || cl.Has("--extents");
        using var session = ImageArguments.Open(cl.Positionals[0], cl);
        session.VerboseOutput = stderr;
        var image = session.Image;
        string? path = nidText is null ? cl.Positionals[1] : null;
        var ino = path is not null ? image.Resolve(path, followLastSymlink: cl.Has("-L")) : image.GetInode(nid);
        var xattrs = image.ListXattrs(ino);
        var extents = withExtents ? FileExtents.Enumerate(image, ino).ToList() : null;

        if (cl.Has("--json"))
        {
            var entry = InodeText.Document(image, ino, path, path is null ? null : Path.GetFileName(path.TrimEnd('/')) is { Length: > 0 } n ? n : "/");
            var doc = new StatDocument(entry, ino.IsExtended ? "extended" : "compact", CliJson.Name(ino.Layout), ino.AllocatedBytes,
                xattrs.Select(x => new XattrDocument(ManifestEscaping.EscapeXattrName(x.Name), Convert.ToHexStringLower(x.Value), InodeText.PrintableText(x.Value))).ToArray(),
                extents?.Select(e => InodeText.Document(e)).ToArray());
            CliJson.Write(stdout, doc, CliJson.Context.StatDocument);
            return CliApp.ExitOk;
        }

        void Line(string k, object v) => stdout.WriteLine($"{k,-12} {v}");
        if (path is not null) Line("path", path);
        Line("nid", ErofsException.FormatNid(ino.Nid));
        Line("type", ino.Type);
        Line("mode", $"{InodeText.Mode(ino)} ({ModeText.Render(ino.Type, ino.Permissions)})");
        Line("uid/gid", $"{ino.Uid}/{ino.Gid}");
        Line("size", ino.Size);
        Line("links", ino.LinkCount);
        Line("mtime", ModeText.Time(ino.MtimeSeconds, ino.MtimeNanoseconds, true));
        if (InodeText.IsDevice(ino)) Line("rdev", $"{ino.RdevMajor}:{ino.RdevMinor}");
        if (ino.IsSymlink) Line("target", ManifestEscaping.Escape(image.ReadLink(ino)));
        Line("inode", ino.IsExtended ? "extended (64 bytes)" : "compact (32 bytes)");
        Line("layout", ino.Layout);
        Line("on disk", $"{ino.AllocatedBytes} bytes");
        if (ino.IsCompressed && ino.Size > 0)
        {
            var e = image.MapCompressedExtent(ino, 0);
            Line("first extent", $"[{e.LogicalStart}, {e.LogicalEnd}) {e.Kind}{(e.Kind == Core.Data.ExtentKind.Compressed ? " " + Decompression.CompressionAlgorithms.Name(e.Algorithm) : "")}, {e.PhysicalLength} bytes at {e.PhysicalAddress}");
        }
        Line("xattrs", xattrs.Count);
        foreach (var x in xattrs)
            stdout.WriteLine($"  {ManifestEscaping.EscapeXattrName(x.Name)} = {InodeText.Printable(x.Value)}");
        if (extents is not null)
        {
            Line("extents", extents.Count);
            stdout.WriteLine(InodeText.ExtentHeader);
            for (int i = 0; i < extents.Count; i++) stdout.WriteLine(InodeText.ExtentLine(i, extents[i]));
        }
        return CliApp.ExitOk;
    }

    /// <summary>A nid as the CLI prints it: decimal, or "metabox:N" for an inode inside the metabox.</summary>
    private static bool TryParseNid(string text, out ulong nid)
    {
        bool metabox = text.StartsWith("metabox:", StringComparison.Ordinal);
        if (!ulong.TryParse(metabox ? text["metabox:".Length..] : text, out nid) || (nid & ErofsConstants.MetaboxNidBit) != 0) return false;
        if (metabox) nid |= ErofsConstants.MetaboxNidBit;
        return true;
    }
}
