using Erofs.Accel.Core;
using Erofs.Accel.Decompression;
using Erofs.Accel.Format;

namespace Erofs.Accel.Cli.Commands;

/// <summary><c>info IMAGE</c>: superblock summary.</summary>
public sealed class InfoCommand : ICommand
{
    public string Name => "info";
    public string Usage => "info IMAGE [--device FILE]... [--accel POLICY] [-v]";
    public string Summary => "show the superblock: block size, features, algorithms, devices, counts";

    public int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var cl = CommandLine.Parse(args, ImageArguments.ValueOptions, ImageArguments.FlagOptions);
        cl.ExpectPositionals(1, 1, Usage);
        using var session = ImageArguments.Open(cl.Positionals[0], cl);
        session.VerboseOutput = stderr;
        var image = session.Image;
        var sb = image.Superblock;
        var cfg = image.CompressionConfigs;
        void Line(string k, object v) => stdout.WriteLine($"{k,-22} {v}");
        Line("image", cl.Positionals[0]);
        Line("block size", $"{sb.BlockSize} bytes");
        Line("primary blocks", $"{sb.Blocks} ({sb.Blocks * (ulong)sb.BlockSize} bytes)");
        Line("inodes", sb.InodeCount);
        Line("root nid", ErofsException.FormatNid(sb.RootNid));
        Line("uuid", sb.Uuid);
        Line("volume name", sb.VolumeName.Length == 0 ? "-" : sb.VolumeName);
        Line("build time", $"{sb.BuildTimestamp:yyyy-MM-dd HH:mm:ss} UTC (epoch {sb.Epoch} + {sb.BuildTime})");
        Line("checksum", sb.Has(CompatFeatures.SuperblockChecksum) ? $"crc32c 0x{sb.Checksum:x8} ({(sb.ChecksumVerified ? "verified" : "not verified")})" : "none");
        Line("compat features", Join(FeatureNames.Describe(sb.Compat)));
        Line("incompat features", Join(FeatureNames.Describe(sb.Incompat)));
        var algs = new List<string>();
        for (var a = CompressionAlgorithm.Lz4; (int)a < CompressionAlgorithms.Count; a++)
        {
            if (!cfg.IsAvailable(a)) continue;
            algs.Add(a switch
            {
                CompressionAlgorithm.Lz4 => $"lz4(max_distance={cfg.Lz4MaxDistance},max_pclusterblks={cfg.Lz4MaxPclusterBlocks})",
                CompressionAlgorithm.MicroLzma => $"lzma(dict_size={cfg.LzmaDictionarySize})",
                CompressionAlgorithm.Deflate => cfg.RecordedDeflateWindowBits == cfg.DeflateWindowBits
                    ? $"deflate(windowbits={cfg.DeflateWindowBits})"
                    : $"deflate(windowbits={cfg.RecordedDeflateWindowBits}: no window recorded, {cfg.DeflateWindowBits} assumed)",
                _ => $"zstd(windowlog={cfg.ZstdWindowLog})",
            });
        }
        Line("compression", sb.Has(IncompatFeatures.CompressionConfigs) || sb.Has(IncompatFeatures.Lz4ZeroPadding) ? Join(algs) : "none declared (lz4 if any file is compressed)");
        if (sb.PackedNid != 0) Line("packed nid", sb.PackedNid);
        if (sb.MetaboxNid != 0) Line("metabox nid", sb.MetaboxNid);
        if (sb.XattrPrefixCount != 0) Line("long xattr prefixes", sb.XattrPrefixCount);
        Line("extra devices", image.DeviceSlots.Count);
        for (int i = 0; i < image.DeviceSlots.Count; i++)
        {
            var s = image.DeviceSlots[i];
            var tag = s.TagText;
            Line($"  device {i + 1}", $"{s.Blocks} blocks, unified start block {s.UnifiedStartBlock}{(tag.Length > 0 ? ", tag " + tag : "")}");
        }
        return CliApp.ExitOk;
    }

    private static string Join(IReadOnlyList<string> items) => items.Count == 0 ? "none" : string.Join(", ", items);
}
