using Erofs.Accel.Core;
using Erofs.Accel.Core.Export;
using Erofs.Accel.Core.Storage;
using Erofs.Accel.Format;

namespace Erofs.Accel.Fuzz;

/// <summary>A byte range of an image worth mutating, and what it holds.</summary>
public readonly record struct Hotspot(long Offset, int Length, string Kind);

/// <summary>
/// A clean corpus image with its extra devices and the places structured mutations aim at: superblock, config
/// records, device table, inodes with their inline xattrs, map headers and lcluster indexes, chunk tables,
/// directory blocks, the shared xattr area and compressed pclusters.
/// </summary>
public sealed class SeedImage
{
    public string Name { get; }
    public byte[] Image { get; }
    public IReadOnlyList<byte[]> Devices { get; }
    public IReadOnlyList<Hotspot> Hotspots { get; }

    private SeedImage(string name, byte[] image, IReadOnlyList<byte[]> devices, IReadOnlyList<Hotspot> hotspots)
    {
        Name = name;
        Image = image;
        Devices = devices;
        Hotspots = hotspots;
    }

    public static IReadOnlyList<SeedImage> LoadCorpus(string directory, string? only = null)
    {
        var list = new List<SeedImage>();
        foreach (var path in Directory.GetFiles(directory, "*.erofs").OrderBy(p => p, StringComparer.Ordinal))
        {
            var name = Path.GetFileNameWithoutExtension(path);
            if (only is not null && name != only) continue;
            var devices = new[] { ".blob", ".tar" }.Select(e => Path.Combine(directory, name + e)).Where(File.Exists)
                .Select(File.ReadAllBytes).ToList();
            list.Add(Load(name, File.ReadAllBytes(path), devices));
        }
        return list;
    }

    public static SeedImage Load(string name, byte[] image, IReadOnlyList<byte[]> devices)
    {
        var spots = new List<Hotspot>();
        using var img = ErofsImage.Open(new MemorySource(image), devices.Select(d => (IRandomAccessSource)new MemorySource(d)).ToList());
        var sb = img.Superblock;
        int bs = sb.BlockSize;
        spots.Add(new Hotspot(ErofsConstants.SuperblockOffset, sb.Size, "superblock"));
        spots.Add(new Hotspot(ErofsConstants.SuperblockOffset + sb.Size, 64, "config records"));
        if (sb.ExtraDevices > 0) spots.Add(new Hotspot((long)sb.DeviceTableSlotOffset * 128, 128 * sb.ExtraDevices, "device table"));
        if (sb.XattrBlockAddress != 0) spots.Add(new Hotspot((long)sb.XattrBlockAddress * bs, (int)Math.Min(bs, image.Length - (long)sb.XattrBlockAddress * bs), "shared xattrs"));
        var seen = new HashSet<ulong>();
        foreach (var node in TreeWalker.Walk(img))
        {
            var ino = node.Inode;
            if (!seen.Add(ino.Nid) || ino.InMetabox) continue;
            spots.Add(new Hotspot(ino.Position, ino.Core.CoreSize + ino.Core.XattrInlineSize, "inode"));
            long payload = ino.PayloadPosition;
            switch (ino.Layout)
            {
                case DataLayout.CompressedFull or DataLayout.CompressedCompact:
                    spots.Add(new Hotspot((payload + 7) & ~7L, (int)Math.Min(8 + 16 + 8 * 64, 4096), "compressed index"));
                    foreach (var e in img.EnumerateExtents(ino).Take(4))
                        if (e.Kind == Core.Data.ExtentKind.Compressed && !e.InMetadata)
                            spots.Add(new Hotspot(e.PhysicalAddress, e.PhysicalLength, "pcluster"));
                    break;
                case DataLayout.ChunkBased:
                    spots.Add(new Hotspot((payload + 7) & ~7L, 64, "chunk table"));
                    break;
                case DataLayout.FlatInline when ino.IsDirectory && ino.Size <= (ulong)bs:
                    spots.Add(new Hotspot(payload, (int)ino.Size, "directory block"));
                    break;
                case DataLayout.FlatPlain or DataLayout.FlatInline when ino.IsDirectory:
                    spots.Add(new Hotspot((long)ino.Core.WideU * bs, bs, "directory block"));
                    break;
            }
        }
        return new SeedImage(name, image, devices, spots.Where(s => s.Offset >= 0 && s.Length > 0 && s.Offset + s.Length <= image.Length).ToList());
    }
}
