using System.Text;
using System.Text.Json;
using Erofs.Accel.Core;
using Erofs.Accel.Core.Inspection;
using Erofs.Accel.Testing;

namespace Erofs.Accel.Cli.Tests;

/// <summary>verify: clean for every corpus image, not clean with a reason for every hostile or tampered image.</summary>
public class VerifyCommandTests
{
    public static TheoryData<string> Images => TestCorpus.ImageNamesData();

    /// <summary>COMMAND IMAGE [--device FILE]... ARGS: a corpus image with its extra devices.</summary>
    internal static string[] ImageArgs(string name, string command, params string[] args)
    {
        var list = new List<string> { command, TestCorpus.ImagePath(name) };
        foreach (var d in TestCorpus.ExtraDevices(name)) list.AddRange(new[] { "--device", d });
        list.AddRange(args);
        return list.ToArray();
    }

    private static string RegressionDirectory => Path.Combine(TestCorpus.RepoRoot, "tests", "Erofs.Accel.Core.Tests", "Regression");

    [Theory]
    [MemberData(nameof(Images))]
    public void EveryCorpusImageIsClean(string name)
    {
        var (exit, output, err) = CliRunner.Run(ImageArgs(name, "verify"));
        Assert.True(exit == 0, output + err);
        Assert.StartsWith("clean: ", output);
        Assert.Contains("superblock checksum verified", output);
        Assert.Single(output.TrimEnd('\n').Split('\n'));
    }

    [Theory]
    [InlineData("fingerprint-a")]
    [InlineData("fingerprint-b")]
    public void FingerprintedImagesAreCleanWithEveryFingerprintChecked(string name)
    {
        var image = Path.Combine(TestCorpus.RequireSharingDirectory(), name + ".erofs");
        var (exit, output, err) = CliRunner.Run("verify", "--json", image);
        Assert.True(exit == 0, output + err);
        using var doc = JsonDocument.Parse(output);
        Assert.True(doc.RootElement.GetProperty("clean").GetBoolean());
        int nonEmptyFiles = File.ReadLines(Path.Combine(TestCorpus.RequireSharingDirectory(), name + ".manifest")).Skip(1)
            .Select(l => l.Split('\t')).Where(f => f[1] == "f" && f[5] != "0" && (f[12] == "-" || f[12] == f[0])).Count();
        Assert.Equal(nonEmptyFiles, doc.RootElement.GetProperty("fingerprints_checked").GetInt64());
    }

    /// <summary>Each hostile regression image (tests/Erofs.Accel.Core.Tests/Regression) and the reason verify must give.</summary>
    public static TheoryData<string, string, string> HostileImages => new()
    {
        { "directory-cycle", "/a/b/g.bin", "directory reached twice" },
        { "compact-lcluster-too-large", "/a/f.txt", "lcluster size 2^27" },
        { "xattr-shared-count-overflow", "/a/f.txt", "255 shared xattrs" },
        { "compressed-size-4g", "/a/b/g.bin", "runs past the end of the image" },
        { "symlink-size-4g", "/link", "longer than a path can be" },
        { "dirent-nameoff-past-block", "/", "invalid first name offset" },
    };

    [Theory]
    [MemberData(nameof(HostileImages))]
    public void HostileImagesAreNotCleanWithAReason(string name, string path, string reason)
    {
        var (exit, output, err) = CliRunner.Run("verify", Path.Combine(RegressionDirectory, name + ".erofs"));
        Assert.True(exit == 1, output + err);
        Assert.StartsWith("not clean: ", output);
        Assert.Contains(output.Split('\n'), l => l.StartsWith("  " + path + " (nid ") && l.Contains(reason));
        Assert.Equal("", err);
    }

    [Fact]
    public void EveryRegressionImageHasAnExpectedReason()
    {
        var listed = HostileImages.Select(row => (string)row.Data.Item1).OrderBy(n => n, StringComparer.Ordinal);
        var present = Directory.GetFiles(RegressionDirectory, "*.erofs").Select(Path.GetFileNameWithoutExtension).OrderBy(n => n, StringComparer.Ordinal);
        Assert.Equal(present, listed);
    }

    [Fact]
    public void ABadSuperblockChecksumIsAProblemNotACrash()
    {
        using var scratch = new ScratchCopy("plain-4k");
        scratch.Bytes[1024 + 16] ^= 1;
        scratch.Save();
        var (exit, output, err) = CliRunner.Run("verify", scratch.Path);
        Assert.Equal(1, exit);
        Assert.Equal("", err);
        Assert.StartsWith("not clean: 1 problem", output);
        Assert.Contains("image: ", output);
        Assert.Contains("checksum mismatch", output);
    }

    [Fact]
    public void ATamperedFingerprintIsReportedWithBothDigests()
    {
        const string file = "/text/doc001.txt";
        using var scratch = new ScratchCopy(Path.Combine(TestCorpus.RequireSharingDirectory(), "fingerprint-a.erofs"));
        var manifest = File.ReadLines(Path.Combine(TestCorpus.RequireSharingDirectory(), "fingerprint-a.manifest")).Select(l => l.Split('\t')).Single(f => f[0] == file);
        var recorded = Encoding.ASCII.GetBytes("sha256:").Concat(Convert.FromHexString(manifest[10])).ToArray();
        int at = scratch.Bytes.AsSpan().IndexOf(recorded);
        Assert.True(at > 0, "fingerprint value not found in the image");
        Assert.Equal(-1, scratch.Bytes.AsSpan(at + 1).IndexOf(recorded)); // stored once: it is this file's
        scratch.Bytes[at + 7] ^= 0xFF;
        scratch.Save();
        var (exit, output, _) = CliRunner.Run("verify", scratch.Path);
        Assert.Equal(1, exit);
        var problem = Assert.Single(output.Split('\n'), l => l.StartsWith("  "));
        Assert.StartsWith($"  {file} (nid ", problem);
        var tampered = recorded[7..];
        tampered[0] ^= 0xFF;
        Assert.Contains($"do not match the sha256 fingerprint (recorded {Convert.ToHexStringLower(tampered)}, ", problem);
        Assert.Contains($"read {manifest[10]})", problem);
        Assert.DoesNotContain($"recorded {manifest[10]}", problem);
    }

    [Fact]
    public void ADamagedPclusterNamesTheFileAndTheOffset()
    {
        const string file = "/dupes/mixed-copy.bin";
        using var scratch = new ScratchCopy("lz4");
        FileExtent victim;
        using (var image = ErofsImage.Open(scratch.Path))
            victim = FileExtents.Enumerate(image, image.Resolve(file)).Where(e => e.Kind == FileExtentKind.Compressed).Skip(1).First();
        scratch.Bytes.AsSpan((int)victim.PhysicalAddress, (int)victim.PhysicalLength).Fill(0xFF);
        scratch.Save();
        var (exit, output, err) = CliRunner.Run("verify", "--json", scratch.Path);
        Assert.True(exit == 1, output + err);
        using var doc = JsonDocument.Parse(output);
        Assert.False(doc.RootElement.GetProperty("clean").GetBoolean());
        var problems = doc.RootElement.GetProperty("problems").EnumerateArray().ToArray();
        var problem = Assert.Single(problems, p => p.GetProperty("path").GetString() == file);
        Assert.Equal(victim.LogicalStart, problem.GetProperty("file_offset").GetInt64());
        Assert.Contains($"lz4 pcluster of {victim.PhysicalLength} bytes at {victim.PhysicalAddress}", problem.GetProperty("reason").GetString());
    }

    [Fact]
    public void JsonAgreesWithText()
    {
        var (_, text, _) = CliRunner.Run(ImageArgs("lzma-kitchen-sink", "verify"));
        var (exit, json, _) = CliRunner.Run(ImageArgs("lzma-kitchen-sink", "verify", "--json"));
        Assert.Equal(0, exit);
        var root = JsonDocument.Parse(json).RootElement;
        Assert.True(root.GetProperty("clean").GetBoolean());
        Assert.Equal(0, root.GetProperty("problems").GetArrayLength());
        Assert.Equal("verified", root.GetProperty("superblock_checksum").GetString());
        foreach (var (field, words) in new[] { ("inodes", "inodes"), ("directories", "directories"), ("extents", "extents"), ("pclusters_decoded", "pclusters decoded") })
            Assert.Contains($"{root.GetProperty(field).GetInt64()} {words}", text);
    }

    [Fact]
    public void MissingImageIsAnErrorNotAReport()
    {
        var (exit, output, err) = CliRunner.Run("verify", "/nonexistent.erofs");
        Assert.Equal(1, exit);
        Assert.Equal("", output);
        Assert.Contains("no such file", err);
    }
}

/// <summary>A writable copy of an image in a temp file, deleted on dispose.</summary>
internal sealed class ScratchCopy : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"erofs-accel-verify-{Guid.NewGuid():N}.erofs");
    public byte[] Bytes { get; }

    /// <param name="image">A corpus image name, or a path.</param>
    public ScratchCopy(string image)
    {
        Bytes = File.ReadAllBytes(image.Contains('/') ? image : TestCorpus.ImagePath(image));
        Save();
    }

    public void Save() => File.WriteAllBytes(Path, Bytes);

    public void Dispose() => File.Delete(Path);
}
