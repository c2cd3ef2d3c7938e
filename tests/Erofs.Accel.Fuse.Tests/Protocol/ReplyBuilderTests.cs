using System.Runtime.InteropServices;
using Erofs.Accel.Fuse.Protocol;

namespace Erofs.Accel.Fuse.Tests.Protocol;

public sealed class ReplyBuilderTests
{
    [Fact]
    public void HeaderCarriesLengthUniqueAndNoError()
    {
        using var reply = new ReplyBuilder(64 * 1024);
        reply.Begin(0x1122334455667788);
        reply.Append<FuseOpenOut>().FileHandle = 7;
        reply.Complete();
        var bytes = reply.ToArray();
        Assert.Equal(32, bytes.Length);
        var header = MemoryMarshal.Read<FuseOutHeader>(bytes);
        Assert.Equal(32u, header.Length);
        Assert.Equal(0, header.Error);
        Assert.Equal(0x1122334455667788UL, header.Unique);
        Assert.Equal(7UL, MemoryMarshal.Read<FuseOpenOut>(bytes.AsSpan(16)).FileHandle);
        Assert.Equal(1, reply.Segments.Length);
    }

    [Fact]
    public void ErrorReplyIsTheHeaderAloneWithNegatedErrno()
    {
        using var reply = new ReplyBuilder(64 * 1024);
        reply.Begin(9);
        reply.AppendBytes(new byte[100]);
        var owner = new Owner();
        reply.AppendExternal(new byte[50], owner);
        reply.SetError(Errno.ENOENT);
        reply.Complete();
        var bytes = reply.ToArray();
        Assert.Equal(16, bytes.Length);
        Assert.Equal(-2, MemoryMarshal.Read<FuseOutHeader>(bytes).Error);
        Assert.Equal(9UL, MemoryMarshal.Read<FuseOutHeader>(bytes).Unique);
        Assert.True(owner.Disposed);
    }

    [Fact]
    public void ExternalPiecesKeepTheirOrderWithoutCopies()
    {
        using var reply = new ReplyBuilder(64 * 1024);
        reply.Begin(1);
        reply.AppendBytes([1, 2, 3]);
        var external = new byte[] { 10, 11, 12, 13 };
        var owner = new Owner();
        reply.AppendExternal(external, owner);
        reply.AppendBytes([4, 5]);
        reply.AppendExternal(new byte[] { 20 }, null);
        reply.Complete();

        Assert.Equal(4, reply.Segments.Length);
        Assert.Equal(19, (int)reply.Segments[0].Length);
        Assert.Equal(4, (int)reply.Segments[1].Length);
        unsafe
        {
            fixed (byte* pointer = external) Assert.True(reply.Segments[1].Base == pointer);
        }
        var bytes = reply.ToArray();
        Assert.Equal(16 + 3 + 4 + 2 + 1, bytes.Length);
        Assert.Equal((uint)bytes.Length, MemoryMarshal.Read<FuseOutHeader>(bytes).Length);
        Assert.Equal(new byte[] { 1, 2, 3, 10, 11, 12, 13, 4, 5, 20 }, bytes[16..]);
        Assert.False(owner.Disposed);
        reply.ReleaseExternal();
        Assert.True(owner.Disposed);
    }

    [Fact]
    public void RefusesToOverflowItsBuffer()
    {
        using var reply = new ReplyBuilder(8192);
        reply.Begin(1);
        Assert.Throws<InvalidOperationException>(() => reply.AppendBytes(new byte[8192]));
        Assert.Throws<ArgumentOutOfRangeException>(() => reply.Advance(8192 - 15));
        reply.AppendZeros(8192 - 16);
        Assert.Equal(0, reply.FreeCapacity);
        Assert.Throws<InvalidOperationException>(() => reply.Append<FuseOpenOut>());
    }

    [Fact]
    public void TooManyPiecesAreRefusedAndTheOwnerStillReleased()
    {
        using var reply = new ReplyBuilder(8192);
        reply.Begin(1);
        for (var i = 0; i < ReplyBuilder.MaxSegments / 2 - 1; i++)
        {
            reply.AppendBytes([1]);
            reply.AppendExternal(new byte[] { 2 }, null);
        }
        var owner = new Owner();
        Assert.Throws<InvalidOperationException>(() =>
        {
            reply.AppendBytes([1]);
            reply.AppendExternal(new byte[] { 2 }, owner);
            reply.AppendBytes([1]);
            reply.AppendExternal(new byte[] { 2 }, owner);
        });
        Assert.True(owner.Disposed);
    }

    [Fact]
    public void BeginDropsThePreviousReply()
    {
        using var reply = new ReplyBuilder(8192);
        reply.Begin(1);
        reply.AppendBytes(new byte[500]);
        reply.SetError(Errno.EIO);
        reply.Begin(2);
        reply.AppendBytes([7]);
        reply.Complete();
        var bytes = reply.ToArray();
        Assert.Equal(17, bytes.Length);
        Assert.Equal(0, MemoryMarshal.Read<FuseOutHeader>(bytes).Error);
        Assert.Equal(2UL, MemoryMarshal.Read<FuseOutHeader>(bytes).Unique);
    }

    [Fact]
    public void GatherBodyLaysInterleavedPiecesOutRightAfterTheHeader()
    {
        using var reply = new ReplyBuilder(64 * 1024);
        reply.Begin(3);
        var random = new Random(5);
        var expected = new List<byte>();
        var owners = new List<Owner>();
        for (var piece = 0; piece < 20; piece++)
        {
            var chunk = new byte[random.Next(1, 3000)];
            random.NextBytes(chunk);
            expected.AddRange(chunk);
            if (piece % 3 == 0)
            {
                reply.AppendBytes(chunk);
            }
            else
            {
                var owner = new Owner();
                owners.Add(owner);
                reply.AppendExternal(chunk, owner);
            }
        }
        reply.Complete();
        var scattered = reply.ToArray();

        var bodyLength = reply.GatherBody();

        Assert.Equal(expected.Count, bodyLength);
        Assert.Equal(1, reply.Segments.Length);
        Assert.Equal(scattered, reply.ToArray());
        Assert.Equal(expected.ToArray(), reply.ToArray()[16..]);
        unsafe
        {
            Assert.True(reply.Segments[0].Base == (byte*)reply.BodyAddress - 16);
            Assert.Equal(expected.ToArray(), new ReadOnlySpan<byte>((byte*)reply.BodyAddress, bodyLength).ToArray());
        }
        Assert.All(owners, o => Assert.True(o.Disposed));
    }

    [Fact]
    public void GatherBodyOfAnErrorOrPlainReplyMovesNothing()
    {
        using var reply = new ReplyBuilder(8192);
        reply.Begin(4);
        reply.AppendBytes([1, 2, 3]);
        reply.Complete();
        Assert.Equal(3, reply.GatherBody());
        reply.Begin(5);
        reply.AppendExternal(new byte[100], null);
        reply.SetError(Errno.ENOENT);
        reply.Complete();
        Assert.Equal(0, reply.GatherBody());
        Assert.Equal(16, reply.ToArray().Length);
        Assert.Equal(-2, MemoryMarshal.Read<FuseOutHeader>(reply.Header).Error);
    }

    [Fact]
    public void GatherBodyRefusesABodyLargerThanItsBuffer()
    {
        using var reply = new ReplyBuilder(8192);
        reply.Begin(6);
        reply.AppendExternal(new byte[8192], null);
        reply.Complete();
        Assert.Throws<InvalidOperationException>(() => reply.GatherBody());
    }

    private sealed class Owner : IDisposable
    {
        public bool Disposed { get; private set; }

        public void Dispose() => Disposed = true;
    }
}
