using Erofs.Accel.Cli.Json;
using Erofs.Accel.Core;
using Erofs.Accel.Core.Export;
using Erofs.Accel.Core.Inspection;
using Erofs.Accel.Format;

namespace Erofs.Accel.Cli.Commands;

/// <summary>How ls and stat show an inode, as text and as a --json document, so the two always agree.</summary>
internal static class InodeText
{
    /// <summary>The type as --json names it.</summary>
    public static string TypeName(InodeType type) => type switch
    {
        InodeType.RegularFile => "file",
        InodeType.Directory => "directory",
        InodeType.Symlink => "symlink",
        InodeType.CharDevice => "char_device",
        InodeType.BlockDevice => "block_device",
        InodeType.Fifo => "fifo",
        InodeType.Socket => "socket",
        _ => "unknown",
    };

    public static string Mode(ErofsInode ino) => Convert.ToString(ino.Permissions, 8).PadLeft(4, '0');

    public static bool IsDevice(ErofsInode ino) => ino.Type is InodeType.CharDevice or InodeType.BlockDevice;

    /// <summary>One ls -l line: mode, links, owner, size (or device numbers), mtime, name and symlink target.</summary>
    public static string LongLine(ErofsImage image, ErofsInode ino, string shownName)
    {
        string size = IsDevice(ino) ? $"{ino.RdevMajor}, {ino.RdevMinor}" : ino.Size.ToString();
        string suffix = ino.IsSymlink ? " -> " + ManifestEscaping.Escape(image.ReadLink(ino)) : "";
        return $"{ModeText.Render(ino.Type, ino.Permissions)} {ino.LinkCount,3} {ino.Uid,6} {ino.Gid,6} {size,10} {ModeText.Time(ino.MtimeSeconds, 0, false)} {shownName}{suffix}";
    }

    public static EntryDocument Document(ErofsImage image, ErofsInode ino, string? path, string? name) => new(
        path, name, ErofsException.FormatNid(ino.Nid), TypeName(ino.Type), Mode(ino), ino.Uid, ino.Gid, ino.Size, ino.LinkCount,
        ino.MtimeSeconds, ino.MtimeNanoseconds,
        ino.IsSymlink ? ManifestEscaping.Escape(image.ReadLink(ino)) : null,
        IsDevice(ino) ? $"{ino.RdevMajor}:{ino.RdevMinor}" : null);

    /// <summary>An extent's kind as stat shows it: the algorithm for compressed ones, "inline" for stored bytes in metadata.</summary>
    public static string ExtentKind(in FileExtent e) => e.Kind switch
    {
        FileExtentKind.Compressed => e.Algorithm ?? "compressed",
        FileExtentKind.Stored when e.InMetadata => "inline",
        _ => e.Kind.ToString().ToLowerInvariant(),
    };

    public static ExtentDocument Document(in FileExtent e)
    {
        bool placed = e.Kind is not (FileExtentKind.Hole or FileExtentKind.Fragment);
        return new ExtentDocument(e.LogicalStart, e.Length, ExtentKind(e), e.Device, placed ? e.PhysicalAddress : 0, e.PhysicalLength, e.InMetadata,
            e.Algorithm, e.Kind == FileExtentKind.Compressed ? e.PartialReference : null,
            e.Kind == FileExtentKind.Fragment ? e.FragmentOffset : null);
    }

    /// <summary>Column header of <see cref="ExtentLine"/>, like dump.erofs -e.</summary>
    public static readonly string ExtentHeader =
        $"{"#",4}: {"logical start",12}..{"end",-12} | {"length",10} : {"kind",-10} {"physical start",14}..{"end",-14} | {"length",8}";

    public static string ExtentLine(int index, in FileExtent e)
    {
        string physical = e.Kind switch
        {
            FileExtentKind.Hole => $"{"-",30} | {"-",8}",
            FileExtentKind.Fragment => $"{"packed inode @ " + e.FragmentOffset,30} | {"-",8}",
            _ => $"{e.PhysicalAddress,14}..{e.PhysicalAddress + e.PhysicalLength,14} | {e.PhysicalLength,8}",
        };
        string flags = (e.Device > 0 ? $" device {e.Device}" : "") + (e.InMetabox ? " metabox" : "") + (e.PartialReference ? " partial" : "");
        return $"{index,4}: {e.LogicalStart,12}..{e.LogicalEnd,12} | {e.Length,10} : {ExtentKind(e),-10} {physical}{flags}";
    }

    /// <summary>An xattr value as text when it is printable ASCII, else as 0x-prefixed hex.</summary>
    public static string Printable(byte[] v) => PrintableText(v) is { } t ? "\"" + t + "\"" : "0x" + Convert.ToHexStringLower(v);

    public static string? PrintableText(byte[] v)
    {
        foreach (var b in v)
            if (b < 0x20 || b > 0x7E) return null;
        return System.Text.Encoding.ASCII.GetString(v);
    }
}
