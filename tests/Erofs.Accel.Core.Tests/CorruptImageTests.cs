using System.Buffers.Binary;
using Erofs.Accel.Core;
using Erofs.Accel.Core.Export;
using Erofs.Accel.Core.Storage;
using Erofs.Accel.Format;
using Erofs.Accel.Testing;

namespace Erofs.Accel.Core.Tests;

/// <summary>Hand-made damage to real images: each gives its typed error, never an unrelated exception.</summary>
public class CorruptImageTests
{
    private static byte[] Bytes(string name) => File.ReadAllBytes(TestCorpus.ImagePath(name));

    private static void Reseal(byte[] image)
    {
        int bits = image[1024 + 12];
        int len = Superblock.ChecksumLength(bits);
        BinaryPrimitives.WriteUInt32LittleEndian(image.AsSpan(1028), 0);
        uint crc = Crc32C.Update(0xFFFFFFFF, image.AsSpan(1024, len));
        BinaryPrimitives.WriteUInt32LittleEndian(image.AsSpan(1028), crc);
    }

    private static ErofsImage OpenBytes(byte[] image) => ErofsImage.Open(new MemorySource(image));

    /// <summary>Walks and reads everything, as a user of the library would.</summary>
    private static void ReadEverything(ErofsImage image)
    {
        foreach (var n in TreeWalker.Walk(image))
        {
            image.ListXattrs(n.Inode);
            if (n.Inode.IsRegularFile) image.ReadAllBytes(n.Inode);
            if (n.Inode.IsSymlink) image.ReadLink(n.Inode);
        }
    }

    [Fact]
    public void BadMagic()
    {
        var b = Bytes("plain-4k");
        b[1024] = 0;
        var e = Assert.Throws<ErofsCorruptImageException>(() => OpenBytes(b));
        Assert.Contains("magic", e.Message);
    }

    [Fact]
    public void BadChecksum()
    {
        var b = Bytes("plain-4k");
        b[1024 + 16] ^= 0x40; // inode count: covered by the checksum
        var e = Assert.Throws<ErofsCorruptImageException>(() => OpenBytes(b));
        Assert.Contains("checksum", e.Message);
    }

    [Fact]
    public void RootNidOutOfRange()
    {
        var b = Bytes("plain-4k");
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(1024 + 14), 0xFFFF);
        Reseal(b);
        // the slot is inside the image but holds no valid inode: a typed error naming the nid
        var e = Assert.ThrowsAny<ErofsException>(() => OpenBytes(b));
        Assert.Equal(0xFFFFUL, e.Nid);
    }

    [Fact]
    public void NidOutOfRangeThroughTheApi()
    {
        using var image = CorpusImages.Open("plain-4k");
        var e = Assert.Throws<ErofsCorruptImageException>(() => image.GetInode(1UL << 40));
        Assert.Equal(1UL << 40, e.Nid);
    }

    [Fact]
    public void TruncatedImage()
    {
        var b = Bytes("plain-4k");
        var cut = b.AsSpan(0, b.Length / 2).ToArray();
        using var image = OpenBytes(cut);
        var e = Assert.ThrowsAny<ErofsException>(() => ReadEverything(image));
        Assert.Contains("past the end", e.Message);
    }

    [Fact]
    public void TooSmallToBeAnImage()
    {
        Assert.Throws<ErofsCorruptImageException>(() => OpenBytes(new byte[1100]));
        Assert.Throws<ErofsCorruptImageException>(() => OpenBytes(Array.Empty<byte>()));
    }

    [Fact]
    public void LoopingDirectoryIsDetected()
    {
        // point a subdirectory's entry at the root: walking the tree reaches the root twice
        var b = Bytes("plain-4k");
        using (var clean = OpenBytes(b))
        {
            var dir = clean.Resolve("/acl");
            long dirBlock = (long)dir.Core.WideU << 12;
            // /acl is FLAT_INLINE with its dirents inline; find the entry of "dflt" in the inline data instead
            long pos = dir.Layout == DataLayout.FlatInline && dir.Size <= 4096 ? dir.PayloadPosition : dirBlock;
            var block = b.AsSpan((int)pos, (int)dir.Size);
            var parsed = new DirectoryBlock(block, 4096, dir.Nid, 0);
            int idx = parsed.Find("dflt"u8);
            Assert.True(idx >= 0);
            BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan((int)pos + 12 * idx), clean.RootNid);
        }
        Reseal(b); // the inode area may share the superblock's block
        using var image = OpenBytes(b);
        var e = Assert.Throws<ErofsCorruptImageException>(() => TreeWalker.Walk(image).ToList());
        Assert.Contains("cycle", e.Message);
    }

    [Fact]
    public void BogusDirectoryBlockIsCorruptNotAnIndexError()
    {
        var b = Bytes("plain-4k");
        ErofsInode dir;
        using (var clean = OpenBytes(b)) dir = clean.Resolve("/acl");
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan((int)dir.PayloadPosition + 8), 5000);
        Reseal(b);
        using var image = OpenBytes(b);
        Assert.Throws<ErofsCorruptImageException>(() => image.ListDirectory(image.Resolve("/acl")).ToList());
        Assert.Throws<ErofsCorruptImageException>(() => image.Resolve("/acl/dflt"));
    }

    [Fact]
    public void MissingExtraDeviceIsNamed()
    {
        using var image = ErofsImage.Open(TestCorpus.ImagePath("chunk-blob"));
        var file = TreeWalker.Walk(image).First(n => n.Inode.IsRegularFile && n.Inode.Size > 0).Inode;
        var e = Assert.Throws<ErofsIoException>(() => image.ReadAllBytes(file));
        Assert.Contains("--device", e.Message);
    }

    [Fact]
    public void TooManyDevicesAreRefused()
    {
        var dev = TestCorpus.ExtraDevices("chunk-blob")[0];
        Assert.Throws<ErofsIoException>(() => ErofsImage.Open(TestCorpus.ImagePath("plain-4k"), new ErofsImageOptions { ExtraDevicePaths = new[] { dev } }));
    }

    [Fact]
    public void MissingFileIsAnIoError()
    {
        var e = Assert.Throws<ErofsIoException>(() => ErofsImage.Open("/nonexistent/image.erofs"));
        Assert.Contains("no such file", e.Message);
    }

    [Fact]
    public void RandomByteDamageNeverEscapesAsAnotherException()
    {
        // a small deterministic sweep; the fuzz harness goes further
        var clean = Bytes("lz4hc-ztailpacking");
        var rng = new Random(1234);
        for (int round = 0; round < 60; round++)
        {
            var b = (byte[])clean.Clone();
            for (int k = 0; k < 8; k++) b[4096 + rng.Next(b.Length - 4096)] = (byte)rng.Next(256);
            try
            {
                using var image = OpenBytes(b);
                ReadEverything(image);
            }
            catch (ErofsException) { }
        }
    }
}
