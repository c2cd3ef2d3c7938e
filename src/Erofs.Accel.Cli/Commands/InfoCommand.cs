using Erofs.Accel.Cli.Json;
using Erofs.Accel.Core;
using Erofs.Accel.Core.Inspection;
using Erofs.Accel.Decompression;
using Erofs.Accel.Format;

namespace Erofs.Accel.Cli.Commands;

/// <summary><c>info IMAGE [-S] [--json]</c>: superblock summary; -S adds statistics of the tree (like dump.erofs -S).</summary>
internal sealed class InfoCommand : ICommand
{
    public string Name => "info";
    public string Usage => "info IMAGE [-S] [--json] [--device FILE]... [--accel POLICY] [-v]";
    public string Summary => "show the superblock: block size, features, algorithms, devices (-S: counts, sizes, compression ratio, pcluster sizes)";

    public int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var cl = CommandLine.Parse(args, ImageArguments.ValueOptions, ImageArguments.FlagOptions.Concat(new[] { "-S", "--json" }));
        cl.ExpectPositionals(1, 1, Usage);
        using var session = ImageArguments.Open(cl.Positionals[0], cl);
        session.VerboseOutput = stderr;
        var image = session.Image;
        var doc = Describe(cl.Positionals[0], image, cl.Has("-S") ? ImageStatistics.Collect(image) : null);
        if (cl.Has("--json")) CliJson.Write(stdout, doc, CliJson.Context.InfoDocument);
        else WriteText(stdout, doc);
        return CliApp.ExitOk;
    }

    private static InfoDocument Describe(string path, ErofsImage image, ImageStatistics? statistics)
    {
        var sb = image.Superblock;
        var cfg = image.CompressionConfigs;
        var algs = new List<CompressionDocument>();
        for (var a = CompressionAlgorithm.Lz4; (int)a < CompressionAlgorithms.Count; a++)
        {
            if (!cfg.IsAvailable(a)) continue;
            algs.Add(a switch
            {
                CompressionAlgorithm.Lz4 => new CompressionDocument("lz4", MaxDistance: cfg.Lz4MaxDistance, MaxPclusterBlocks: cfg.Lz4MaxPclusterBlocks),
                CompressionAlgorithm.MicroLzma => new CompressionDocument("lzma", DictionarySize: cfg.LzmaDictionarySize),
                CompressionAlgorithm.Deflate => new CompressionDocument("deflate", WindowBits: cfg.DeflateWindowBits,
                    RecordedWindowBits: cfg.RecordedDeflateWindowBits == cfg.DeflateWindowBits ? null : cfg.RecordedDeflateWindowBits),
                _ => new CompressionDocument("zstd", WindowLog: cfg.ZstdWindowLog),
            });
        }
        var devices = image.DeviceSlots.Select((s, i) => new DeviceDocument(i + 1, s.Blocks, s.UnifiedStartBlock, s.TagText.Length > 0 ? s.TagText : null)).ToArray();
        return new InfoDocument(
            path, sb.BlockSize, sb.Blocks, sb.InodeCount, ErofsException.FormatNid(sb.RootNid), sb.Uuid.ToString(),
            sb.VolumeName.Length == 0 ? null : sb.VolumeName, sb.BuildTimestamp,
            sb.Has(CompatFeatures.SuperblockChecksum) ? new ChecksumDocument("crc32c", $"0x{sb.Checksum:x8}", sb.ChecksumVerified) : null,
            FeatureNames.Describe(sb.Compat), FeatureNames.Describe(sb.Incompat),
            sb.Has(IncompatFeatures.CompressionConfigs) || sb.Has(IncompatFeatures.Lz4ZeroPadding) ? algs : Array.Empty<CompressionDocument>(),
            sb.PackedNid != 0 ? ErofsException.FormatNid(sb.PackedNid) : null, sb.MetaboxNid != 0 ? ErofsException.FormatNid(sb.MetaboxNid) : null,
            sb.XattrPrefixCount != 0 ? sb.XattrPrefixCount : null, devices,
            statistics is null ? null : Document(statistics));
    }

    private static StatisticsDocument Document(ImageStatistics s) => new(
        s.InodesByType.OrderBy(t => t.Key).ToDictionary(t => InodeText.TypeName(t.Key), t => t.Value),
        s.Paths, s.RegularFiles, s.CompressedFiles, s.FileBytes, s.FileBytesInHoles, s.FileBytesStored, s.FileBytesInline,
        s.FileBytesInFragments, s.FileBytesCompressed, s.Pclusters, s.PclusterStoredBytes, s.PclusterDecodedBytes, Math.Round(s.CompressionRatio, 4),
        s.Algorithms.Select(a => new AlgorithmDocument(a.Algorithm, a.Pclusters, a.StoredBytes, a.DecodedBytes, Math.Round(a.Ratio, 4),
            a.SizeHistogram.Select(b => new BucketDocument(b.MaxBytes, b.Count)).ToArray())).ToArray());

    private static void WriteText(TextWriter w, InfoDocument d)
    {
        void Line(string k, object v) => w.WriteLine($"{k,-22} {v}");
        Line("image", d.Image);
        Line("block size", $"{d.BlockSize} bytes");
        Line("primary blocks", $"{d.Blocks} ({d.Blocks * (ulong)d.BlockSize} bytes)");
        Line("inodes", d.Inodes);
        Line("root nid", d.RootNid);
        Line("uuid", d.Uuid);
        Line("volume name", d.VolumeName ?? "-");
        Line("build time", $"{d.BuildTime:yyyy-MM-dd HH:mm:ss} UTC (epoch seconds {d.BuildTime.ToUnixTimeSeconds()})");
        Line("checksum", d.Checksum is { } c ? $"{c.Algorithm} {c.Value} ({(c.Verified ? "verified" : "not verified")})" : "none");
        Line("compat features", Join(d.CompatFeatures));
        Line("incompat features", Join(d.IncompatFeatures));
        Line("compression", d.Compression.Count > 0 ? Join(d.Compression.Select(Describe).ToArray()) : "none declared (lz4 if any file is compressed)");
        if (d.PackedNid is { } packed) Line("packed nid", packed);
        if (d.MetaboxNid is { } metabox) Line("metabox nid", metabox);
        if (d.LongXattrPrefixes is { } prefixes) Line("long xattr prefixes", prefixes);
        Line("extra devices", d.Devices.Count);
        foreach (var s in d.Devices)
            Line($"  device {s.Id}", $"{s.Blocks} blocks, unified start block {s.UnifiedStartBlock}{(s.Tag is not null ? ", tag " + s.Tag : "")}");
        if (d.Statistics is { } st) WriteStatistics(w, st);
    }

    private static string Describe(CompressionDocument c) => c.Algorithm switch
    {
        "lz4" => $"lz4(max_distance={c.MaxDistance},max_pclusterblks={c.MaxPclusterBlocks})",
        "lzma" => $"lzma(dict_size={c.DictionarySize})",
        "deflate" => c.RecordedWindowBits is { } recorded
            ? $"deflate(windowbits={recorded}: no window recorded, {c.WindowBits} assumed)"
            : $"deflate(windowbits={c.WindowBits})",
        _ => $"zstd(windowlog={c.WindowLog})",
    };

    private static void WriteStatistics(TextWriter w, StatisticsDocument s)
    {
        void Line(string k, object v) => w.WriteLine($"{k,-22} {v}");
        w.WriteLine();
        w.WriteLine("statistics (from metadata; hardlinks and deduplicated pclusters count once)");
        Line("paths", s.Paths);
        Line("inodes", string.Join(", ", s.InodesByType.Select(t => $"{t.Key} {t.Value}")));
        Line("regular files", $"{s.RegularFiles} ({s.CompressedFiles} compressed)");
        Line("file bytes", s.FileBytes);
        Line("  in holes", s.FileBytesInHoles);
        Line("  stored as is", s.FileBytesStored);
        Line("  inline", s.FileBytesInline);
        Line("  in fragments", s.FileBytesInFragments);
        Line("  compressed", s.FileBytesCompressed);
        Line("pclusters", $"{s.Pclusters}: {s.PclusterStoredBytes} bytes stored for {s.PclusterDecodedBytes} decoded ({Percent(s.CompressionRatio)})");
        foreach (var a in s.Algorithms)
        {
            Line($"  {a.Algorithm}", $"{a.Pclusters}: {a.StoredBytes} bytes stored for {a.DecodedBytes} decoded ({Percent(a.Ratio)})");
            long most = a.PclusterSizes.Max(b => b.Count);
            foreach (var b in a.PclusterSizes)
                w.WriteLine($"    <= {Size(b.MaxBytes),-9} {b.Count,8}  {new string('#', (int)Math.Ceiling(40.0 * b.Count / most))}");
        }
    }

    private static string Percent(double ratio) => $"{ratio * 100:0.00}%";

    private static string Size(long bytes) => bytes >= 1 << 20 ? $"{bytes >> 20} MiB" : bytes >= 1024 ? $"{bytes >> 10} KiB" : $"{bytes} B";

    private static string Join(IReadOnlyList<string> items) => items.Count == 0 ? "none" : string.Join(", ", items);
}
