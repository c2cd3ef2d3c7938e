using Erofs.Accel.Decompression;
using System.Text.RegularExpressions;
using Erofs.Accel.Core;
using Erofs.Accel.Decompression.Backends.Qat;
using Erofs.Accel.Decompression.Backends.Qpl;
using Erofs.Accel.Decompression.Engine;
using Erofs.Accel.Format;
using Erofs.Accel.Testing;

namespace Erofs.Accel.Cli.Tests;

/// <summary>
/// Every DEFLATE image of the corpus through the accelerator paths that need no device, end to end through the CLI in
/// a child process: QPL's software path (EROFS_ACCEL_QPL_PATH=software) serves every pcluster of images with
/// windowbits &lt;= 12 and is never offered those of the others; the QAT test mode (EROFS_ACCEL_QAT_PATH=software) serves
/// every DEFLATE pcluster. The manifest must equal the kernel's in every case.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class AcceleratorManifestTests
{
    public static TheoryData<string> DeflateImages()
    {
        var data = new TheoryData<string>();
        foreach (var name in TestCorpus.ImageNames())
        {
            using var image = ErofsImage.Open(TestCorpus.ImagePath(name),
                new ErofsImageOptions { ExtraDevicePaths = TestCorpus.ExtraDevices(name).ToArray() });
            if (image.CompressionConfigs.IsAvailable(CompressionAlgorithm.Deflate)) data.Add(name);
        }
        if (data.Count == 0) data.Add("(no corpus)");
        return data;
    }

    private static (long Requests, long Served, long FellBack) Counts(string verbose, string backend)
    {
        var m = Regex.Match(verbose, $@"^\s*{Regex.Escape(backend)}: (\d+) requests, (\d+) served, (\d+) fell back", RegexOptions.Multiline);
        Assert.True(m.Success, $"no line for {backend} in:\n{verbose}");
        return (long.Parse(m.Groups[1].Value), long.Parse(m.Groups[2].Value), long.Parse(m.Groups[3].Value));
    }

    /// <summary>The CLI in a child process with <paramref name="environment"/> (see <see cref="CliProcess"/>).</summary>
    private static (int Exit, string Out, string Err) Run(Dictionary<string, string?> environment, string[] args)
    {
        var result = CliProcess.Run(new CliProcess.Options { Environment = environment }, args);
        Assert.False(result.TimedOut, $"erofs-accel {string.Join(' ', args)} did not finish in time");
        return (result.Exit, result.Out, result.Err);
    }

    private static string[] ImageArgs(string name) =>
        [.. TestCorpus.ExtraDevices(name).SelectMany(d => new[] { "--device", d }), TestCorpus.ImagePath(name)];

    private static void RequireShim(ShimAcceleratorBackendProbe probe)
    {
        using var backend = probe();
        if (!backend.Availability.IsAvailable) AcceleratorTests.ShimUnusable(backend.Name.ToUpperInvariant(), backend.Availability.Detail);
    }

    private delegate Decompression.Engine.Native.ShimAcceleratorBackend ShimAcceleratorBackendProbe();

    [Theory]
    [MemberData(nameof(DeflateImages))]
    public void QplSoftwarePathServesSmallWindowImagesAndIsNeverOfferedTheOthers(string name)
    {
        if (name == "(no corpus)") TestCorpus.RequireDirectory();
        RequireShim(() => new QplBackend(new QplBackendOptions { Path = AcceleratorPath.Software }));
        int windowBits;
        using (var image = ErofsImage.Open(TestCorpus.ImagePath(name), new ErofsImageOptions { ExtraDevicePaths = TestCorpus.ExtraDevices(name).ToArray() }))
            windowBits = image.CompressionConfigs.DeflateWindowBits;

        var (exit, output, err) = Run(new() { [QplBackendOptions.PathVariable] = "software" },
            ["manifest", "-v", "--accel", "qpl", .. ImageArgs(name)]);

        Assert.True(exit == 0, err);
        Assert.Equal(File.ReadAllText(TestCorpus.ManifestPath(name)), output);
        var qpl = Counts(err, "qpl");
        if (windowBits <= QplBackend.IaaMaxWindowBits)
        {
            Assert.True(qpl.Served > 0, err);
            Assert.Equal((qpl.Requests, 0L), (qpl.Served, qpl.FellBack));
        }
        else
        {
            Assert.Equal((0L, 0L), (qpl.Requests, qpl.Served));
        }
    }

    [Theory]
    [MemberData(nameof(DeflateImages))]
    public void QatTestModeServesEveryDeflatePcluster(string name)
    {
        if (name == "(no corpus)") TestCorpus.RequireDirectory();
        RequireShim(() => new QatBackend(new QatBackendOptions { Path = AcceleratorPath.Software }));

        var (exit, output, err) = Run(new() { [QatBackendOptions.PathVariable] = "software" },
            ["manifest", "-v", "--accel", "qat", .. ImageArgs(name)]);

        Assert.True(exit == 0, err);
        Assert.Equal(File.ReadAllText(TestCorpus.ManifestPath(name)), output);
        var qat = Counts(err, "qat");
        Assert.True(qat.Served > 0, err);
        Assert.Equal((qat.Requests, 0L), (qat.Served, qat.FellBack));
    }

    [Fact]
    public void MetadataCommandsNeverInitialiseAnAccelerator()
    {
        RequireShim(() => new QatBackend(new QatBackendOptions { Path = AcceleratorPath.Software }));
        // Hardware QAT without a device: initialising it makes QATzip log "no hardware"; raised to warnings here,
        // any initialisation would show on stderr.
        var environment = new Dictionary<string, string?> { [EngineOptions.NativeLogLevelVariable] = "warning" };
        foreach (var command in new[] { "ls", "info" })
        {
            var (exit, _, err) = Run(environment, [command, "--accel", "qat,qpl", TestCorpus.ImagePath("deflate")]);
            Assert.True(exit == 0, err);
            Assert.Equal("", err);
        }
        var (sexit, _, serr) = Run(environment, ["stat", "--accel", "qat,qpl", TestCorpus.ImagePath("deflate"), "/"]);
        Assert.True(sexit == 0, serr);
        Assert.Equal("", serr);
    }

    [Fact]
    public void QatzipLogLinesReachOurLogAtTheChosenLevelOnly()
    {
        using (var hardware = new QatBackend(new QatBackendOptions()))
        {
            if (hardware.ShimLocation is null) AcceleratorTests.ShimUnusable("QAT", hardware.Availability.Detail);
            if (hardware.Availability.IsAvailable) AcceleratorTests.NeedsDevice("QAT-less", "a working QAT logs no 'no hardware' line");
        }
        string[] manifest = ["manifest", "--accel", "qat", TestCorpus.ImagePath("deflate")];

        var quiet = Run(new(), manifest);
        Assert.True(quiet.Exit == 0, quiet.Err);
        Assert.Equal("", quiet.Err); // QATzip's own "[Error] ... no hardware" lines never reach stderr

        var loud = Run(new() { [EngineOptions.NativeLogLevelVariable] = "warning" }, manifest);
        Assert.True(loud.Exit == 0, loud.Err);
        Assert.Equal(quiet.Out, loud.Out);
        Assert.Matches(@"(?m)^erofs-accel: \S+ warning: native library: QATzip \(qatzip\.c:\d+\): Error no hardware", loud.Err);
        Assert.DoesNotContain("[Error]", loud.Err);
    }

    /// <summary>
    /// deflate-w4k with its windowbits rewritten to 0, as mkfs.erofs with libdeflate records it (Linux mounts it and
    /// inflates with a 32 KiB window): the reader must take it as the largest window, so QPL is never offered a
    /// pcluster, while the QAT test mode still serves them all.
    /// </summary>
    [Fact]
    public void AnUnrecordedDeflateWindowIsTheLargestAndNeverGoesToQpl()
    {
        RequireShim(() => new QplBackend(new QplBackendOptions { Path = AcceleratorPath.Software }));
        var dir = TestPaths.NewTempDirectory("windowbits0");
        try
        {
            var bytes = File.ReadAllBytes(TestCorpus.ImagePath("deflate-w4k"));
            var sb = Superblock.Parse(bytes.AsSpan(1024, 3072));
            long position = 1024 + sb.Size;
            for (int alg = 0; alg < (int)CompressionAlgorithm.Deflate; alg++)
            {
                if (!sb.Has(IncompatFeatures.CompressionConfigs) || (sb.AvailableAlgorithms & (1 << alg)) == 0) continue;
                position = (position + 3) & ~3L;
                position += 2 + BitConverter.ToUInt16(bytes, (int)position);
            }
            position = (position + 3) & ~3L;
            Assert.Equal(12, bytes[position + 2]);
            bytes[position + 2] = 0;
            int length = Superblock.ChecksumLength(sb.BlockSizeBits);
            var region = bytes.AsSpan(1024, length);
            uint crc = Crc32C.Update(0xFFFFFFFF, region[..4]);
            crc = Crc32C.Update(crc, stackalloc byte[4]);
            crc = Crc32C.Update(crc, region[8..]);
            BitConverter.TryWriteBytes(region[4..8], crc);
            var image = Path.Combine(dir, "windowbits0.erofs");
            File.WriteAllBytes(image, bytes);
            var expected = File.ReadAllText(TestCorpus.ManifestPath("deflate-w4k"));

            var info = CliRunner.Run("info", image);
            Assert.Contains("deflate(windowbits=0: no window recorded, 15 assumed)", info.Out);

            var viaQpl = Run(new() { [QplBackendOptions.PathVariable] = "software" }, ["manifest", "-v", "--accel", "qpl", image]);
            Assert.True(viaQpl.Exit == 0, viaQpl.Err);
            Assert.Equal(expected, viaQpl.Out);
            Assert.Equal((0L, 0L), (Counts(viaQpl.Err, "qpl").Requests, Counts(viaQpl.Err, "qpl").Served));

            RequireShim(() => new QatBackend(new QatBackendOptions { Path = AcceleratorPath.Software }));
            var viaQat = Run(new() { [QatBackendOptions.PathVariable] = "software" }, ["manifest", "-v", "--accel", "qat", image]);
            Assert.True(viaQat.Exit == 0, viaQat.Err);
            Assert.Equal(expected, viaQat.Out);
            var qat = Counts(viaQat.Err, "qat");
            Assert.True(qat.Served > 0 && qat.Served == qat.Requests, viaQat.Err);
        }
        finally
        {
            TestPaths.DeleteTree(dir);
        }
    }
}
