using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;
using Erofs.Accel.Core;
using Erofs.Accel.Format;
using Erofs.Accel.Testing;

namespace Erofs.Accel.Mount.Tests;

/// <summary>
/// Symlink targets of any declared length read as the kernel reads them (on its mount, through ours, and through the
/// reader behind ls and manifest): a target outside the inode block gives its first page less the NUL, an inline one
/// ends at its first NUL. The image is made by mkfs.erofs with 4095-byte targets; then, as a hostile image would, some
/// inodes claim 4096, 65536 and 1 MiB targets and an inline target gets a NUL in its middle.
/// </summary>
[Collection(MountCollection.Name)]
public class SymlinkLengthTests
{
    private static readonly (string Name, ulong DeclaredSize)[] Paged =
    [
        ("path-max", 4095), ("page", 4096), ("sixty-four-k", 65536), ("one-mebibyte", 1 << 20),
    ];

    private const string InlineWithNul = "inline-with-nul";

    [Fact]
    public void LongAndOddTargetsReadAsTheKernelReadsThem()
    {
        MountedImage.RequireFuseAndRoot();
        using var scratch = new ScratchImage("symlinks");
        foreach (var (name, _) in Paged) File.CreateSymbolicLink(scratch.PathOf(name), new string(name[0], 4095));
        File.CreateSymbolicLink(scratch.PathOf(InlineWithNul), "before/after");
        File.CreateSymbolicLink(scratch.PathOf("short"), "target");
        scratch.Build();
        CraftHostileSizes(scratch.ImagePath);

        using var kernel = new KernelMount(scratch.ImagePath);
        var expected = new Dictionary<string, string>();
        foreach (var name in Paged.Select(p => p.Name).Append(InlineWithNul).Append("short"))
            expected[name] = new FileInfo(Path.Combine(kernel.MountPoint, name)).LinkTarget!;
        // what the kernel does, so what we must do
        Assert.All(Paged, p => Assert.Equal(new string(p.Name[0], 4095), expected[p.Name]));
        Assert.Equal("before", expected[InlineWithNul]);

        using (var image = ErofsImage.Open(scratch.ImagePath))
        {
            foreach (var (name, target) in expected)
                Assert.Equal(target, Encoding.UTF8.GetString(image.ReadLink(image.Resolve("/" + name))));
        }

        using (var ours = new MountedImage("symlinks", TimeSpan.FromMinutes(2), scratch.ImagePath))
        {
            foreach (var (name, target) in expected)
                Assert.Equal(target, new FileInfo(Path.Combine(ours.MountPoint, name)).LinkTarget);
            Assert.Equal(CorpusManifests.ManifestOf(kernel.MountPoint), CorpusManifests.ManifestOf(ours.MountPoint));
        }

        // the commands that walk the whole image: one long target must not fail the rest
        Assert.Equal(CorpusManifests.ManifestOf(kernel.MountPoint), RunCli("manifest", scratch.ImagePath));
        var listing = RunCli("ls", "-l", scratch.ImagePath, "/");
        foreach (var (name, target) in expected) Assert.Contains($"{name} -> {target}\n", listing);
    }

    /// <summary>
    /// Declares longer sizes for the paged targets (extended inodes of mkfs.erofs: 64-bit i_size at offset 8, compact:
    /// 32-bit) and puts a NUL in the middle of the inline one, then recomputes the superblock checksum.
    /// </summary>
    private static void CraftHostileSizes(string imagePath)
    {
        var bytes = File.ReadAllBytes(imagePath);
        long metaStart;
        var positions = new Dictionary<string, (long Position, bool Extended)>();
        int blockSize;
        using (var image = ErofsImage.Open(imagePath))
        {
            blockSize = image.Superblock.BlockSize;
            metaStart = (long)image.Superblock.MetaBlockAddress * blockSize;
            foreach (var name in Paged.Select(p => p.Name).Append(InlineWithNul))
            {
                var node = image.Resolve("/" + name);
                Assert.False(node.InMetabox);
                positions[name] = (metaStart + (long)node.Nid * 32, node.IsExtended);
            }
            Assert.Equal(DataLayout.FlatPlain, image.Resolve("/page").Layout);
            Assert.Equal(DataLayout.FlatInline, image.Resolve("/" + InlineWithNul).Layout);
        }
        foreach (var (name, size) in Paged)
        {
            var (at, extended) = positions[name];
            if (extended) BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan((int)at + 8), size);
            else BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan((int)at + 8), checked((uint)size));
        }
        var (inline, inlineExtended) = positions[InlineWithNul];
        int target = (int)inline + (inlineExtended ? ErofsConstants.ExtendedInodeSize : ErofsConstants.CompactInodeSize);
        Assert.Equal("before/after", Encoding.ASCII.GetString(bytes, target, 12));
        bytes[target + 6] = 0;

        var superblock = bytes.AsSpan(ErofsConstants.SuperblockOffset);
        if ((BinaryPrimitives.ReadUInt32LittleEndian(superblock[8..]) & (uint)CompatFeatures.SuperblockChecksum) != 0)
        {
            int length = Superblock.ChecksumLength(System.Numerics.BitOperations.Log2((uint)blockSize));
            superblock[4..8].Clear();
            BinaryPrimitives.WriteUInt32LittleEndian(superblock[4..], Crc32C.Update(0xFFFFFFFF, superblock[..length]));
        }
        File.WriteAllBytes(imagePath, bytes);
    }

    private static string RunCli(params string[] arguments)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "erofs-accel.dll"));
        foreach (var a in arguments) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEndAsync();
        var errors = p.StandardError.ReadToEndAsync();
        Assert.True(p.WaitForExit(120_000), "erofs-accel timed out");
        Assert.True(p.ExitCode == 0, $"erofs-accel {string.Join(' ', arguments)} failed: {errors.Result}");
        return output.Result;
    }
}
