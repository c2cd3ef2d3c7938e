using System.Buffers.Binary;
using System.Text;
using Erofs.Accel.Format;

namespace Erofs.Accel.Format.Tests;

public class DirectoryBlockTests
{
    /// <summary>Builds a directory block the way mkfs does: dirents, then names back to back.</summary>
    private static byte[] Build(int blockSize, params string[] names)
    {
        var block = new byte[blockSize];
        int nameOff = 12 * names.Length;
        for (int i = 0; i < names.Length; i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(block.AsSpan(12 * i), (ulong)(100 + i));
            BinaryPrimitives.WriteUInt16LittleEndian(block.AsSpan(12 * i + 8), (ushort)nameOff);
            block[12 * i + 10] = 1;
            var n = Encoding.UTF8.GetBytes(names[i]);
            n.CopyTo(block, nameOff);
            nameOff += n.Length;
        }
        return block;
    }

    [Fact]
    public void ReadsEntriesAndLastNameUpToNul()
    {
        var b = Build(4096, ".", "..", "abc", "zz");
        var block = new DirectoryBlock(b, 4096, 1, 0);
        Assert.Equal(4, block.Count);
        Assert.Equal("zz", Encoding.UTF8.GetString(block[3].Name));
        Assert.Equal(103UL, block[3].Nid);
        Assert.Equal(DirentFileType.RegularFile, block[2].FileType);
    }

    [Fact]
    public void LastNameMayFillTheBlockWithoutNul()
    {
        // the last block of a directory may be shorter than a block: its size is i_size - block start
        var b = Build(4096, "a", new string('x', 255)).AsSpan(0, 24 + 1 + 255).ToArray();
        var block = new DirectoryBlock(b, 4096, 1, 0);
        Assert.Equal(255, block.NameAt(1).Length);
    }

    [Theory]
    [InlineData(".", "..", "abc", "b")]
    [InlineData("a")]
    public void FindUsesBinarySearch(params string[] names)
    {
        var block = new DirectoryBlock(Build(4096, names), 4096, 1, 0);
        for (int i = 0; i < names.Length; i++) Assert.Equal(i, block.Find(Encoding.UTF8.GetBytes(names[i])));
        Assert.Equal(-1, block.Find("nope"u8));
    }

    [Theory]
    [InlineData(0)]     // nameoff0 below one dirent
    [InlineData(13)]    // not a multiple of 12
    [InlineData(4096)]  // at the block end
    public void RejectsBadFirstNameOffset(int nameoff)
    {
        var b = Build(4096, "a", "b");
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(8), (ushort)nameoff);
        Assert.Throws<ErofsCorruptImageException>(() => new DirectoryBlock(b, 4096, 1, 0));
    }

    [Fact]
    public void RejectsDecreasingNameOffsets()
    {
        var b = Build(4096, "aa", "bb", "cc");
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(12 + 8), 10);
        Assert.Throws<ErofsCorruptImageException>(() => new DirectoryBlock(b, 4096, 1, 0));
    }

    [Fact]
    public void RejectsNameOverrunningTheBlock()
    {
        var b = Build(4096, "aa", "bb");
        var shortBlock = b.AsSpan(0, 12 * 2 + 3).ToArray(); // second name cut to 1 byte: fine; now point past the end
        BinaryPrimitives.WriteUInt16LittleEndian(shortBlock.AsSpan(12 + 8), 40);
        Assert.Throws<ErofsCorruptImageException>(() => new DirectoryBlock(shortBlock, 4096, 1, 0));
    }

    [Fact]
    public void RejectsInvalidFileType()
    {
        var b = Build(4096, "a");
        b[10] = 9;
        Assert.Throws<ErofsCorruptImageException>(() => new DirectoryBlock(b, 4096, 1, 0));
    }
}
