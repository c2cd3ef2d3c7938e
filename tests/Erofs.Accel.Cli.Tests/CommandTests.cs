using Erofs.Accel.Testing;

namespace Erofs.Accel.Cli.Tests;

public class CommandTests
{
    private static string Image(string name) => TestCorpus.ImagePath(name);

    [Fact]
    public void ManifestMatchesTheCorpusForAnUncompressedImage()
    {
        var (exit, output, err) = CliRunner.Run("manifest", Image("chunk-blob"), "--device", TestCorpus.ExtraDevices("chunk-blob")[0]);
        Assert.True(exit == 0, err);
        Assert.Equal(File.ReadAllText(TestCorpus.ManifestPath("chunk-blob")), output);
    }

    [Fact]
    public void InfoNamesFeaturesAndAlgorithms()
    {
        var (exit, output, _) = CliRunner.Run("info", Image("multi-alg"));
        Assert.Equal(0, exit);
        Assert.Contains("deflate(windowbits=15)", output);
        Assert.Contains("zstd(windowlog=19)", output);
        Assert.Contains("lz4_0padding", output);
    }

    [Fact]
    public void LsAndStat()
    {
        var (exit, output, _) = CliRunner.Run("ls", "-l", Image("plain-4k"), "/links");
        Assert.Equal(0, exit);
        Assert.Contains("self-loop -> self-loop", output);
        (exit, output, _) = CliRunner.Run("stat", Image("plain-4k"), "/acl/dflt");
        Assert.Equal(0, exit);
        Assert.Contains("system.posix_acl_default", output);
    }

    [Theory]
    [InlineData(new[] { "nope" }, 2, "unknown command")]
    [InlineData(new[] { "ls" }, 2, "usage")]
    [InlineData(new[] { "ls", "--bogus", "x" }, 2, "unknown option --bogus")]
    [InlineData(new[] { "manifest", "/nonexistent.erofs" }, 1, "no such file")]
    [InlineData(new[] { "manifest", "/etc/hostname" }, 1, "EROFS image")]
    [InlineData(new[] { "manifest", "/tmp" }, 1, "is a directory")]
    [InlineData(new[] { "manifest", "x", "--threads", "zero" }, 2, "--threads needs a whole number")]
    [InlineData(new[] { "mount", "x", "/mnt", "--transport", "pigeon" }, 2, "--transport: expected auto, uring or classic")]
    public void BadInputGivesOneLineAndAnExitCode(string[] args, int code, string text)
    {
        var (exit, _, err) = CliRunner.Run(args);
        Assert.Equal(code, exit);
        Assert.Contains(text, err);
        Assert.Single(err.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public void CorruptImageGivesOneLine()
    {
        var bytes = File.ReadAllBytes(Image("plain-4k"));
        bytes[1024 + 16] ^= 1;
        var path = Path.Combine(Path.GetTempPath(), $"corrupt-{Guid.NewGuid():N}.erofs");
        File.WriteAllBytes(path, bytes);
        try
        {
            var (exit, _, err) = CliRunner.Run("ls", path);
            Assert.Equal(1, exit);
            Assert.Contains("checksum mismatch", err);
            Assert.Single(err.TrimEnd('\n').Split('\n'));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void CatOfAMissingPathFails()
    {
        var (exit, _, err) = CliRunner.Run("cat", Image("plain-4k"), "/no/such");
        Assert.Equal(1, exit);
        Assert.Contains("no such file or directory", err);
    }
}
