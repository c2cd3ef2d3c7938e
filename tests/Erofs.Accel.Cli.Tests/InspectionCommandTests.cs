using System.Text.Json;
using Erofs.Accel.Testing;

namespace Erofs.Accel.Cli.Tests;

/// <summary>ls -R, stat --nid / --extents, info -S and --json: against the kernel's manifests and each other.</summary>
public class InspectionCommandTests
{
    public static TheoryData<string> Images => TestCorpus.ImageNamesData();

    private static string[] ImageArgs(string name, string command, params string[] args) => VerifyCommandTests.ImageArgs(name, command, args);

    private static List<string[]> Manifest(string name) =>
        File.ReadLines(TestCorpus.ManifestPath(name)).Where(l => !l.StartsWith('#')).Select(l => l.Split('\t')).ToList();

    private static string[] Lines(string output) => output.TrimEnd('\n').Split('\n');

    private static readonly Dictionary<string, string> TypeLetters = new()
    {
        ["file"] = "f", ["directory"] = "d", ["symlink"] = "l", ["char_device"] = "c", ["block_device"] = "b", ["fifo"] = "p", ["socket"] = "s",
    };

    [Theory]
    [MemberData(nameof(Images))]
    public void RecursiveListingHasExactlyTheManifestPaths(string name)
    {
        var (exit, output, err) = CliRunner.Run(ImageArgs(name, "ls", "-R"));
        Assert.True(exit == 0, err);
        var expected = Manifest(name).Select(f => f[0]).ToArray();
        var listed = Lines(output);
        Assert.Equal("/", listed[0]);
        // the manifest is sorted by path bytes, the listing is depth-first: compare them sorted the same way
        Assert.Equal(expected.Order(StringComparer.Ordinal), listed.Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Images))]
    public void RecursiveJsonListingAgreesWithTheKernel(string name)
    {
        var (exit, output, err) = CliRunner.Run(ImageArgs(name, "ls", "-R", "--json"));
        Assert.True(exit == 0, err);
        var root = JsonDocument.Parse(output).RootElement;
        Assert.True(root.GetProperty("recursive").GetBoolean());
        var entries = root.GetProperty("entries").EnumerateArray().ToDictionary(e => e.GetProperty("path").GetString()!, StringComparer.Ordinal);
        var manifest = Manifest(name);
        Assert.Equal(manifest.Count, entries.Count);
        foreach (var f in manifest)
        {
            var e = entries[f[0]];
            string Field(string n) => e.TryGetProperty(n, out var v) ? v.ValueKind == JsonValueKind.String ? v.GetString()! : v.GetRawText() : "-";
            Assert.Equal(f[1], TypeLetters[Field("type")]);
            Assert.Equal(f[2], Field("mode"));
            Assert.Equal(f[3], Field("uid"));
            Assert.Equal(f[4], Field("gid"));
            Assert.Equal(f[5], Field("size"));
            Assert.Equal(f[6], Field("links"));
            Assert.Equal(f[7], Field("mtime"));
            Assert.Equal(f[8], Field("target"));
            Assert.Equal(f[9], Field("rdev"));
        }
    }

    [Fact]
    public void RecursiveLongListingReadsNoFileData()
    {
        var (exit, output, err) = CliRunner.Run(ImageArgs("lz4", "ls", "-lR", "-v", "/dupes"));
        Assert.True(exit == 0, err);
        Assert.Contains(" 0 decodes,", err);
        var lines = Lines(output);
        Assert.StartsWith("drwx", lines[0]);
        Assert.EndsWith(" /dupes", lines[0]);
        Assert.Contains(lines, l => l.StartsWith("-rw-r--r--") && l.EndsWith(" /dupes/mixed-copy.bin") && l.Contains(" 57152 "));
        Assert.Equal(Manifest("lz4").Count(f => f[0].StartsWith("/dupes")), lines.Length);
    }

    [Fact]
    public void LsJsonAgreesWithText()
    {
        var (_, text, _) = CliRunner.Run(ImageArgs("plain-4k", "ls", "-la", "/links"));
        var (exit, json, _) = CliRunner.Run(ImageArgs("plain-4k", "ls", "-a", "--json", "/links"));
        Assert.Equal(0, exit);
        var entries = JsonDocument.Parse(json).RootElement.GetProperty("entries").EnumerateArray().ToArray();
        var lines = Lines(text);
        Assert.Equal(lines.Length, entries.Length);
        for (int i = 0; i < lines.Length; i++)
        {
            var e = entries[i];
            string expectedEnd = " " + e.GetProperty("name").GetString() + (e.TryGetProperty("target", out var t) ? " -> " + t.GetString() : "");
            Assert.EndsWith(expectedEnd, lines[i]);
            Assert.Contains($" {e.GetProperty("links").GetUInt32(),3} ", lines[i]);
        }
        Assert.Equal(".", entries[0].GetProperty("name").GetString());
        Assert.Equal("/links/absolute", entries.Single(e => e.GetProperty("name").GetString() == "absolute").GetProperty("path").GetString());
    }

    [Theory]
    [InlineData("lz4", "/dupes/mixed-copy.bin")]
    [InlineData("lz4hc-metabox-zD", "/links/dir/hl-3.txt")]
    public void StatByNidIsStatByPath(string name, string path)
    {
        var (exit, byPath, err) = CliRunner.Run(ImageArgs(name, "stat", path));
        Assert.True(exit == 0, err);
        string nid = Lines(byPath).Single(l => l.StartsWith("nid ")).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
        var (exit2, byNid, err2) = CliRunner.Run(ImageArgs(name, "stat", "--nid", nid));
        Assert.True(exit2 == 0, err2);
        Assert.Equal(Lines(byPath).Skip(1), Lines(byNid)); // the same but the path line
    }

    [Theory]
    [InlineData(new[] { "stat", "--nid", "x" }, 2, "--nid needs an inode number")]
    [InlineData(new[] { "stat", "--nid", "999999999" }, 1, "nid out of range")]
    [InlineData(new[] { "stat", "--nid", "1", "/a" }, 2, "usage")]
    public void StatByNidRefusesBadNids(string[] args, int code, string text)
    {
        var (exit, _, err) = CliRunner.Run(args.Take(1).Append(TestCorpus.ImagePath("plain-4k")).Concat(args.Skip(1)).ToArray());
        Assert.Equal(code, exit);
        Assert.Contains(text, err);
        Assert.Single(Lines(err));
    }

    [Theory]
    [InlineData("plain-4k", "/large/large-text.log", "stored", false)]
    [InlineData("chunk-blob", "/sparse/holes.bin", "hole", true)]
    [InlineData("plain-4k", "/sparse/holes.bin", "inline", false)]
    [InlineData("chunk-blob", "/dupes/mixed-copy.bin", "stored", true)]
    [InlineData("lz4", "/dupes/mixed-copy.bin", "lz4", false)]
    [InlineData("lzma-kitchen-sink", "/dupes/mixed-copy.bin", "fragment", false)]
    [InlineData("zstd-48bit", "/large/large-text.log", "zstd", false)]
    public void ExtentsCoverTheFileAndJsonAgreesWithText(string name, string path, string kind, bool onExtraDevice)
    {
        var (exit, text, err) = CliRunner.Run(ImageArgs(name, "stat", "-e", path));
        Assert.True(exit == 0, err);
        var (_, json, _) = CliRunner.Run(ImageArgs(name, "stat", "--extents", "--json", path));
        var root = JsonDocument.Parse(json).RootElement;
        long size = root.GetProperty("inode").GetProperty("size").GetInt64();
        var extents = root.GetProperty("extents").EnumerateArray().ToArray();
        long at = 0;
        foreach (var e in extents)
        {
            Assert.Equal(at, e.GetProperty("logical_start").GetInt64());
            at += e.GetProperty("length").GetInt64();
        }
        Assert.Equal(size, at);
        Assert.Contains(extents, e => e.GetProperty("kind").GetString() == kind);
        Assert.Equal(onExtraDevice, extents.Any(e => e.GetProperty("device").GetInt32() == 1));
        var lines = Lines(text);
        Assert.Contains($"extents      {extents.Length}", lines);
        var rows = lines.SkipWhile(l => !l.StartsWith("extents ")).Skip(2).ToArray();
        Assert.Equal(extents.Length, rows.Length);
        for (int i = 0; i < rows.Length; i++)
        {
            Assert.StartsWith($"{i,4}: ", rows[i]);
            Assert.Contains($" {extents[i].GetProperty("kind").GetString()} ", rows[i]);
            Assert.Contains($" {extents[i].GetProperty("length").GetInt64()} ", rows[i]);
        }
    }

    [Theory]
    [MemberData(nameof(Images))]
    public void StatisticsCountWhatTheManifestHolds(string name)
    {
        var (exit, json, err) = CliRunner.Run(ImageArgs(name, "info", "-S", "--json"));
        Assert.True(exit == 0, err);
        var s = JsonDocument.Parse(json).RootElement.GetProperty("statistics");
        var manifest = Manifest(name);
        Assert.Equal(manifest.Count, s.GetProperty("paths").GetInt64());
        // one inode per hardlink group: the group's first member names itself (or has no link column)
        var inodes = manifest.Where(f => f[12] == "-" || f[12] == f[0]).ToList();
        foreach (var (type, letter) in TypeLetters)
        {
            long expected = inodes.Count(f => f[1] == letter);
            long got = s.GetProperty("inodes_by_type").TryGetProperty(type, out var v) ? v.GetInt64() : 0;
            Assert.True(expected == got, $"{type}: manifest {expected}, statistics {got}");
        }
        Assert.Equal(inodes.Where(f => f[1] == "f").Sum(f => long.Parse(f[5])), s.GetProperty("file_bytes").GetInt64());
        long parts = new[] { "file_bytes_in_holes", "file_bytes_stored", "file_bytes_inline", "file_bytes_in_fragments", "file_bytes_compressed" }
            .Sum(p => s.GetProperty(p).GetInt64());
        Assert.Equal(s.GetProperty("file_bytes").GetInt64(), parts);
        var algorithms = s.GetProperty("algorithms").EnumerateArray().ToArray();
        Assert.Equal(s.GetProperty("pclusters").GetInt64(), algorithms.Sum(a => a.GetProperty("pclusters").GetInt64()));
        foreach (var a in algorithms)
            Assert.Equal(a.GetProperty("pclusters").GetInt64(), a.GetProperty("pcluster_sizes").EnumerateArray().Sum(b => b.GetProperty("count").GetInt64()));
        bool compressed = s.GetProperty("compressed_files").GetInt64() > 0;
        Assert.Equal(compressed, algorithms.Length > 0);
    }

    [Fact]
    public void StatisticsTextAgreesWithJson()
    {
        var (_, text, _) = CliRunner.Run(ImageArgs("multi-alg", "info", "-S"));
        var (exit, json, _) = CliRunner.Run(ImageArgs("multi-alg", "info", "-S", "--json"));
        Assert.Equal(0, exit);
        var root = JsonDocument.Parse(json).RootElement;
        var s = root.GetProperty("statistics");
        var algorithms = s.GetProperty("algorithms").EnumerateArray().Select(a => a.GetProperty("algorithm").GetString()).ToArray();
        Assert.Equal(new[] { "deflate", "lz4", "lzma", "zstd" }, algorithms);
        Assert.Contains($"pclusters              {s.GetProperty("pclusters").GetInt64()}: {s.GetProperty("pcluster_stored_bytes").GetInt64()} bytes stored", text);
        Assert.Contains($"regular files          {s.GetProperty("regular_files").GetInt64()} ({s.GetProperty("compressed_files").GetInt64()} compressed)", text);
        Assert.Contains($"block size             {root.GetProperty("block_size").GetInt32()} bytes", text);
        Assert.Contains($"uuid                   {root.GetProperty("uuid").GetString()}", text);
        Assert.Contains("zstd(windowlog=19)", text);
        Assert.Equal(19, root.GetProperty("compression").EnumerateArray().Single(c => c.GetProperty("algorithm").GetString() == "zstd").GetProperty("window_log").GetInt32());
        Assert.Equal(string.Join(", ", root.GetProperty("incompat_features").EnumerateArray().Select(f => f.GetString())),
            Lines(text).Single(l => l.StartsWith("incompat features")).Substring(23));
    }

    [Fact]
    public void BackendsJsonAgreesWithText()
    {
        var (_, text, _) = CliRunner.Run("backends");
        var (exit, json, _) = CliRunner.Run("backends", "--json");
        Assert.Equal(0, exit);
        var root = JsonDocument.Parse(json).RootElement;
        Assert.Equal(Lines(text)[0], $"policy in force: {root.GetProperty("policy").GetString()} (from {root.GetProperty("policy_source").GetString()})");
        var backends = root.GetProperty("backends").EnumerateArray().ToArray();
        var rows = Lines(text).Skip(1).ToArray();
        Assert.Equal(rows.Length, backends.Length);
        for (int i = 0; i < rows.Length; i++)
        {
            Assert.StartsWith(backends[i].GetProperty("name").GetString() + " ", rows[i]);
            Assert.Equal(backends[i].GetProperty("available").GetBoolean(), !rows[i].Contains(" unavailable: "));
        }
        Assert.Contains(backends, b => b.GetProperty("role").GetString() == "software" && b.GetProperty("available").GetBoolean() && b.GetProperty("used_by_policy").GetBoolean());
    }
}
