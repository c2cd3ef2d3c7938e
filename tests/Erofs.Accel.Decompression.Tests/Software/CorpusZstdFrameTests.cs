using System.Buffers.Binary;
using Erofs.Accel.Decompression.Backends.Zstd;
using Erofs.Accel.Decompression.Interop;
using Erofs.Accel.Testing;
using Erofs.Accel.Decompression.Tests.TestSupport;

namespace Erofs.Accel.Decompression.Tests.Software;

/// <summary>
/// Real pclusters written by mkfs.erofs. Without an EROFS reader yet, zstd pclusters can still be found: each is one
/// zstd frame (magic 28 B5 2F FD) that, thanks to LZ4_0PADDING, ends exactly at a block boundary in zstd.erofs. Both
/// zstd backends must decode every such frame to its declared content size and agree byte for byte.
/// </summary>
public sealed class CorpusZstdFrameTests
{
    private const int BlockSize = 4096;
    private const uint ZstdMagic = 0xFD2FB528;

    [Fact]
    public unsafe void EveryBlockAlignedFrameOfTheZstdImageDecodes()
    {
        var path = TestCorpus.ImagePath("zstd");
        var native = (ZstdNativeBackend)TestBackends.Require(ZstdNativeBackend.BackendName);
        var managed = (ZstdManagedBackend)TestBackends.Require(ZstdManagedBackend.BackendName);
        var image = File.ReadAllBytes(path);

        int frames = 0;
        for (int block = 0; block + BlockSize <= image.Length; block += BlockSize)
        {
            var span = image.AsSpan(block, BlockSize);
            int start = span.IndexOfAnyExcept((byte)0);
            if (start < 0 || start + 4 > BlockSize || BinaryPrimitives.ReadUInt32LittleEndian(span[start..]) != ZstdMagic) continue;

            int offset = block + start;
            nuint frameLength;
            fixed (byte* p = &image[offset]) frameLength = ZstdNative.FindFrameCompressedSize(p, (nuint)(image.Length - offset));
            if (ZstdNative.IsError(frameLength) != 0 || (offset + (long)frameLength) % BlockSize != 0) continue;
            var frame = image.AsSpan(offset, (int)frameLength).ToArray();
            if (ReadContentSize(frame) is not { } contentSize) continue;

            var parameters = new DecodeParameters { Algorithm = CompressionAlgorithm.Zstd, DecodedLength = (int)contentSize, ZstdWindowLog = 15 };
            var fromNative = GuardedDecode.Run(native, frame, parameters);
            var fromManaged = GuardedDecode.Run(managed, frame, parameters);
            Assert.Equal(DecodeStatus.Done, fromNative.Status);
            fromManaged.AssertDone(fromNative.Destination, $"frame at {offset}");

            var prefix = parameters with { DecodedLength = Math.Max(1, (int)contentSize / 3), DecodedSkip = 0, Partial = true };
            GuardedDecode.Run(native, frame, prefix).AssertDone(fromNative.Destination[..prefix.DecodedLength], $"prefix of frame at {offset}");
            GuardedDecode.Run(managed, frame, prefix).AssertDone(fromNative.Destination[..prefix.DecodedLength], $"prefix of frame at {offset}");
            frames++;
        }
        Assert.True(frames >= 50, $"only {frames} zstd pclusters found in {path}");
    }

    /// <summary>Frame_Content_Size from a zstd frame header (RFC 8878 3.1.1.1), or null when the frame omits it.</summary>
    private static ulong? ReadContentSize(ReadOnlySpan<byte> frame)
    {
        if (frame.Length < 6) return null;
        byte descriptor = frame[4];
        int sizeFlag = descriptor >> 6;
        bool singleSegment = (descriptor & 0x20) != 0;
        int dictionaryIdLength = (descriptor & 3) switch { 0 => 0, 1 => 1, 2 => 2, _ => 4 };
        int position = 5 + (singleSegment ? 0 : 1) + dictionaryIdLength;
        int length = sizeFlag switch { 0 => singleSegment ? 1 : 0, 1 => 2, 2 => 4, _ => 8 };
        if (length == 0 || position + length > frame.Length) return null;
        var field = frame.Slice(position, length);
        return length switch
        {
            1 => field[0],
            2 => BinaryPrimitives.ReadUInt16LittleEndian(field) + 256u,
            4 => BinaryPrimitives.ReadUInt32LittleEndian(field),
            _ => BinaryPrimitives.ReadUInt64LittleEndian(field),
        };
    }
}
