using System.Security.Cryptography;
using System.Text;
using Erofs.Accel.Core;
using Erofs.Accel.Testing;

namespace Erofs.Accel.Core.Tests;

/// <summary>Content fingerprints (mkfs.erofs --xattr-inode-digest): read from the inode-sharing xattr, hidden from listxattr.</summary>
public class ContentFingerprintTests
{
    [Theory]
    [InlineData("fingerprint-a")]
    [InlineData("fingerprint-b")]
    public void EveryNonEmptyFileCarriesTheSha256OfItsContents(string name)
    {
        using var image = ErofsImage.Open(Path.Combine(TestCorpus.RequireSharingDirectory(), name + ".erofs"));
        Assert.True(image.HasContentFingerprints);
        int checkedFiles = 0;
        foreach (var line in File.ReadLines(Path.Combine(TestCorpus.RequireSharingDirectory(), name + ".manifest")).Skip(1))
        {
            var f = line.Split('\t');
            if (f[1] != "f" || f[0].Contains('\\')) continue;
            var inode = image.Resolve(f[0]);
            var fingerprint = image.GetContentFingerprint(inode);
            if (f[5] == "0")
            {
                Assert.Null(fingerprint);
                continue;
            }
            Assert.NotNull(fingerprint);
            Assert.Equal("sha256:", Encoding.ASCII.GetString(fingerprint![..7]));
            Assert.Equal(f[10], Convert.ToHexStringLower(fingerprint[7..]));
            Assert.Equal(f[10], Convert.ToHexStringLower(SHA256.HashData(image.ReadAllBytes(inode))));
            // hidden like the kernel hides it: the manifest's xattr column is what listxattr shows
            Assert.DoesNotContain(image.ListXattrs(inode), x => x.NameText.Contains("fingerprint"));
            checkedFiles++;
        }
        Assert.True(checkedFiles > 300, $"only {checkedFiles} files checked");
    }

    [Fact]
    public void ImagesWithoutTheFeatureHaveNoFingerprints()
    {
        using var image = CorpusImages.Open("lz4hc-fragments");
        Assert.False(image.HasContentFingerprints);
        Assert.Null(image.GetContentFingerprint(image.Resolve("/text/doc001.txt")));
    }
}
