using Erofs.Accel.Core.Storage;
using Erofs.Accel.Testing;

namespace Erofs.Accel.Core.Tests;

/// <summary>Before a mount says "mounted", every device of the device table is there and large enough.</summary>
public sealed class DeviceCheckTests
{
    [Theory]
    [InlineData("chunk-blob", 533, 4096)]
    [InlineData("tar-index", 4280, 512)]
    public void AMissingDeviceIsFatalAndNamesTheSlotAndTheOption(string name, int blocks, int blockSize)
    {
        using var image = ErofsImage.Open(TestCorpus.ImagePath(name));
        var problem = Assert.Single(DeviceCheck.Find(image));
        Assert.True(problem.Fatal);
        Assert.Equal(1, problem.Device);
        Assert.Contains($"device 1 (device-table slot 0: {blocks} blocks of {blockSize} bytes) is missing", problem.Message);
        Assert.Contains("-o device=FILE", problem.Message);
        Assert.Contains("--device FILE", problem.Message);
    }

    [Fact]
    public void TheRightDevicesPass()
    {
        foreach (var name in new[] { "chunk-blob", "tar-index", "lz4" })
        {
            using var image = ErofsImage.Open(TestCorpus.ImagePath(name), new ErofsImageOptions { ExtraDevicePaths = TestCorpus.ExtraDevices(name).ToArray() });
            Assert.Empty(DeviceCheck.Find(image));
        }
    }

    [Fact]
    public void ASmallerDeviceIsFatalALargerOneAWarning()
    {
        using (var wrong = ErofsImage.Open(TestCorpus.ImagePath("chunk-blob"), new ErofsImageOptions { ExtraDevicePaths = [TestCorpus.ImagePath("lz4")] }))
        {
            var problem = Assert.Single(DeviceCheck.Find(wrong));
            Assert.True(problem.Fatal);
            Assert.Contains("lz4.erofs holds only", problem.Message);
            Assert.Contains("2183168 expected", problem.Message);
        }
        var dir = TestPaths.NewTempDirectory("devcheck");
        try
        {
            var padded = Path.Combine(dir, "padded.blob");
            using (var f = File.Create(padded))
            {
                using var blob = File.OpenRead(TestCorpus.ExtraDevices("chunk-blob")[0]);
                blob.CopyTo(f);
                f.Write(new byte[8192]);
            }
            using var larger = ErofsImage.Open(TestCorpus.ImagePath("chunk-blob"), new ErofsImageOptions { ExtraDevicePaths = [padded] });
            var warning = Assert.Single(DeviceCheck.Find(larger));
            Assert.False(warning.Fatal);
            Assert.Contains("more than the 2183168 expected", warning.Message);
        }
        finally
        {
            TestPaths.DeleteTree(dir);
        }
    }
}
